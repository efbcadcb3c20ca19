import { eventPageUrl, type EventRecord } from '../events';
import type { Language } from '../i18n';
import type { MessageInput } from '../messages';
import type { RenderInput, RenderedMail } from './mail.types';
import { renderMail } from './render';

/** Sample registrants for the organiser's previews, named the way each language writes names. */
const sampleNames: Record<Language, { familyName: string; givenName: string }> = {
  en: { familyName: 'Smith', givenName: 'Alex' },
  ja: { familyName: '山田', givenName: '花子' },
};

/**
 * A mail of an optional kind as a confirmed registrant whose mail language is `lang` reads it (with the
 * event's bilingual setting), for previews in the workspace. Links point at the real pages with a
 * placeholder token; the join link only while the event is published.
 */
export function previewMail(
  input: Pick<RenderInput, 'kind' | 'event' | 'lang' | 'message' | 'followUp' | 'reminder'> & {
    baseUrl: string;
  },
): RenderedMail {
  const { baseUrl, event, lang } = input;
  return renderMail({
    kind: input.kind,
    lang,
    event,
    registration: {
      ...sampleNames[lang],
      email: 'registrant@example.org',
      status: 'confirmed',
      interpretation: lang,
      locale: lang,
    },
    links: {
      eventPage: eventPageUrl(baseUrl, event.slug, lang),
      join:
        event.status === 'published' && input.kind !== 'event.follow_up'
          ? `${baseUrl}/join/preview`
          : undefined,
      manage: `${baseUrl}/manage/preview`,
      unsubscribe: `${baseUrl}/unsubscribe/preview`,
    },
    message: input.message,
    followUp: input.followUp,
    reminder: input.reminder,
  });
}

/** The message as a registrant whose mail language is `lang` will read it, for the organiser's preview. */
export function previewMessage(
  event: EventRecord,
  input: MessageInput,
  lang: Language,
  baseUrl: string,
): RenderedMail {
  return previewMail({ kind: 'event.message', event, lang, baseUrl, message: input });
}
