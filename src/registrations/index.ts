/** The registrations domain as other domains see it. */
export {
  registerAttendee,
  assertRegistrationOpen,
  availability,
  type RegistrationOutcome,
} from './registrations.service';
export {
  registrationForLink,
  followJoinLink,
  canManage,
  cancelRegistration,
  changePreferences,
  promoteWaiting,
  promoteWaitingForEvent,
  type JoinOutcome,
  type RegistrationWithEvent,
} from './manage.service';
export {
  registrationById,
  setInviteSent,
  type Registration,
  type InviteSnapshot,
} from './registrations.queries';
export { affiliations, registrationFormSchema, parseRegistrationForm } from './registrations.schemas';
export { countryOptions, isCountryCode } from './countries';
export { mintLinkToken } from './tokens';
export { displayName } from './names';
