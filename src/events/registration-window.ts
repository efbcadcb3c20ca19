import type { EventRecord } from './events.types';

/** Whether an event takes registrations at a given instant. Pure. */

export type RegistrationWindow =
  | { state: 'open'; closesAt: Date }
  | { state: 'not_open'; opensAt: Date }
  | { state: 'closed'; closedAt: Date }
  | { state: 'cancelled' };

/** What the registration window depends on. */
export type WindowTerms = Pick<
  EventRecord,
  'status' | 'registrationOpensAt' | 'registrationClosesAt' | 'startsAt'
>;

/** When registration closes: the configured instant, or the start of the event when none is set. */
export function registrationClosesAt(event: Pick<EventRecord, 'registrationClosesAt' | 'startsAt'>): Date {
  return event.registrationClosesAt ?? event.startsAt;
}

/**
 * Whether the form accepts registrations at `now`. Opening is inclusive, closing exclusive: at the
 * closing instant itself registration is already closed.
 */
export function registrationWindow(event: WindowTerms, now: Date): RegistrationWindow {
  if (event.status === 'cancelled') return { state: 'cancelled' };
  const closesAt = registrationClosesAt(event);
  if (event.registrationOpensAt && now < event.registrationOpensAt) {
    return { state: 'not_open', opensAt: event.registrationOpensAt };
  }
  if (now >= closesAt) return { state: 'closed', closedAt: closesAt };
  return { state: 'open', closesAt };
}
