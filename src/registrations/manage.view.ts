import { eventView, type EventView } from '../events';
import type { Language } from '../i18n';
import { canManage, type RegistrationWithEvent } from './manage.service';
import { displayName } from './names';

/** What the manage page shows, worked out once so the template only prints. */
export interface ManageView {
  event: EventView;
  registration: {
    name: string;
    email: string;
    organisation: string | null;
    status: 'confirmed' | 'waitlisted' | 'cancelled';
    locale: Language;
    interpretation: Language;
  };
  /** Preferences can be changed and the registration cancelled. */
  editable: boolean;
  /** The join button is shown. */
  canJoin: boolean;
  /** Why the registration can no longer be changed, when it cannot. */
  lockedReason?: 'cancelled' | 'event_cancelled' | 'event_over';
}

/** The manage page for one registration in one language at `now`. */
export function manageView(found: RegistrationWithEvent, lang: Language, now: Date): ManageView {
  const { registration: r, event } = found;
  const editable = canManage(found, now);
  let lockedReason: ManageView['lockedReason'];
  if (!editable) {
    if (r.status === 'cancelled') lockedReason = 'cancelled';
    else if (event.status === 'cancelled') lockedReason = 'event_cancelled';
    else lockedReason = 'event_over';
  }
  return {
    event: eventView(event, lang, now),
    registration: {
      name: displayName(r),
      email: r.email,
      organisation: r.organisation,
      status: r.status,
      locale: r.locale,
      interpretation: r.interpretation,
    },
    editable,
    canJoin:
      editable && r.status === 'confirmed' && event.status === 'published' && Boolean(event.meetingUrl),
    lockedReason,
  };
}
