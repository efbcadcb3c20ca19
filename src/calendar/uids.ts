/**
 * Stable UIDs. A calendar matches an update or a cancellation to the entry it already holds by UID
 * alone, so a UID must depend only on ids that never change, and on our host so that two
 * installations never collide (RFC 5545 §3.8.4.7).
 */

function host(baseUrl: string): string {
  return new URL(baseUrl).hostname;
}

/** The UID of the public entry for an event (the .ics download): "tsunagaru-event-12@host". */
export function eventUid(eventId: number, baseUrl: string): string {
  return `tsunagaru-event-${eventId}@${host(baseUrl)}`;
}

/**
 * The UID of one registrant's invite: "tsunagaru-event-12-registration-345@host". Each registrant
 * gets their own, because their invite carries their personal join link and is cancelled on its own.
 */
export function registrationUid(eventId: number, registrationId: number, baseUrl: string): string {
  return `tsunagaru-event-${eventId}-registration-${registrationId}@${host(baseUrl)}`;
}
