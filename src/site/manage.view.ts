import {
  eventView,
  fileSizeLabel,
  fileTitle,
  pickText,
  type EventFile,
  type EventView,
  type LocalText,
} from '../events';
import type { Language } from '../i18n';
import {
  canManage,
  correctionValues,
  displayName,
  formView,
  registrantMayCorrect,
  type FormView,
  type RegistrationStatus,
  type RegistrationWithEvent,
} from '../registrations';

/** What the manage page shows, worked out once so the template only prints. */
export interface ManageView {
  event: EventView;
  registration: {
    name: string;
    email: string;
    organisation: string | null;
    status: RegistrationStatus;
    locale: Language;
    interpretation: Language;
    /** When they stopped reminders and messages, if they did. */
    unsubscribedAt: Date | null;
  };
  /** Preferences can be changed and the registration cancelled. */
  editable: boolean;
  /** The details form (name, organisation, answers), shown until the event starts; else undefined. */
  details?: FormView;
  /** The join button is shown. */
  canJoin: boolean;
  /** Why the registration can no longer be changed, when it cannot. */
  lockedReason?: 'cancelled' | 'declined' | 'event_cancelled' | 'event_over';
  /** The event's materials: its links, then its uploaded files. Empty unless materialsVisible. */
  materials: {
    links: { title: LocalText; url: string }[];
    files: { id: number; title: LocalText; sizeLabel: string }[];
  };
}

/**
 * Whether the registrant may see the event's materials (links and uploaded files) and download the
 * files: a confirmed registration of a published event (not a draft, not cancelled), also after the
 * event (slides are often wanted afterwards). Not on the waiting list: materials go with a seat, as in the mails.
 */
export function materialsVisible({ registration, event }: RegistrationWithEvent): boolean {
  return registration.status === 'confirmed' && event.status === 'published';
}

/** The materials block of the manage page; `files` are the event's uploaded files. */
function materialsView(found: RegistrationWithEvent, lang: Language, files: EventFile[]) {
  if (!materialsVisible(found)) return { links: [], files: [] };
  return {
    links: found.event.materials.flatMap((m) =>
      // Only http(s) links become hrefs, as in the mails.
      /^https?:\/\//i.test(m.url)
        ? [{ url: m.url, title: pickText(m.title, lang) ?? { text: m.url, lang, fallback: false } }]
        : [],
    ),
    files: files.map((f) => ({
      id: f.id,
      title: fileTitle(f, lang),
      sizeLabel: fileSizeLabel(f.sizeBytes, lang),
    })),
  };
}

/** The manage page for one registration in one language at `now`, with the event's uploaded `files`. */
export function manageView(
  found: RegistrationWithEvent,
  lang: Language,
  now: Date,
  files: EventFile[] = [],
  corrections: { values?: Record<string, unknown>; errors?: Record<string, string> } = {},
): ManageView {
  const { registration: r, event } = found;
  const editable = canManage(found, now);
  let lockedReason: ManageView['lockedReason'];
  if (!editable) {
    if (r.status === 'cancelled' || r.status === 'declined') lockedReason = r.status;
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
      unsubscribedAt: r.unsubscribedAt,
    },
    editable,
    canJoin:
      editable &&
      r.status === 'confirmed' &&
      event.status === 'published' &&
      Boolean(event.meetingUrl || event.zoom),
    lockedReason,
    materials: materialsView(found, lang, files),
    details: registrantMayCorrect(r, event, now)
      ? formView(event, lang, 'open', corrections.values ?? correctionValues(r), corrections.errors ?? {})
      : undefined,
  };
}
