import type { EventRecord } from '../events';
import { offsetAfter, offsetBefore } from '../time';

/**
 * Which reminders and follow-up of an event are due at `now`. Pure: the moments come from the event as it
 * is now, so when the event moves, every reminder not yet written moves with it.
 */

/** How long after the follow-up's moment it may still go (a worker that was down for days). */
export const FOLLOW_UP_WINDOW_DAYS = 30;

/** One due mail topic of an event: write a row for every registrant who should get it. */
export interface DueTopic {
  kind: 'event.reminder' | 'event.follow_up';
  /** 'reminder:PT1H' or 'follow-up': unique per registration. */
  topic: string;
  /** The moment it became due. */
  moment: Date;
  /**
   * Reminders only: registrants who took their seat at or after this instant do not get it (their
   * confirmation is fresher than the reminder).
   */
  seatBefore?: Date;
}

/** The topic of a reminder offset. */
export function reminderTopic(offset: string): string {
  return `reminder:${offset}`;
}

export const followUpTopic = 'follow-up';

/** The reminders whose moment has come before the start, and the follow-up once it is due. */
export function dueTopics(event: EventRecord, now: Date): DueTopic[] {
  if (event.status !== 'published') return [];
  const due: DueTopic[] = [];
  if (now < event.startsAt) {
    for (const offset of event.reminders) {
      const moment = offsetBefore(event.startsAt, offset);
      if (moment <= now) {
        due.push({ kind: 'event.reminder', topic: reminderTopic(offset), moment, seatBefore: moment });
      }
    }
  }
  if (event.followUp) {
    const moment = offsetAfter(event.endsAt, event.followUp.after);
    const until = moment.getTime() + FOLLOW_UP_WINDOW_DAYS * 86_400_000;
    if (moment <= now && now.getTime() < until) {
      due.push({ kind: 'event.follow_up', topic: followUpTopic, moment });
    }
  }
  return due;
}
