import type { Registrants } from '../events';
import { eventMailRecipients, hasRegistrations, registrantCount } from './recipients.queries';

/**
 * The events domain's questions about an event's registrants, answered from this folder's table. Events
 * sits below registrations (a registration locks and reads its event), so it declares what it needs
 * (`Registrants`) and whoever starts a save hands this in: the web app's context, the CLI, the tests.
 */
export const eventRegistrants: Registrants = {
  any: hasRegistrations,
  count: registrantCount,
  forMail: eventMailRecipients,
};
