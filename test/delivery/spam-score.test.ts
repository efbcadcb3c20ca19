import { execFileSync, spawnSync } from 'node:child_process';
import nodemailer from 'nodemailer';
import { composeMessage, newMessageId } from '../../src/delivery/compose';
import type { RenderInput } from '../../src/delivery/mail.types';
import { renderMail } from '../../src/delivery/render';
import type { Language } from '../../src/i18n';
import { mailKinds, optionalKinds, type MailKind } from '../../src/outbox';
import { referenceEvent } from '../helpers/events';

/**
 * Every kind of mail in both languages, composed exactly as the delivery job sends it, through
 * SpamAssassin's local rules (Debian's `spamassassin`; `-L`: no network tests). The mails must score
 * 0.0 with no rule that adds points: in particular no text hidden by colour (HTML_FONT_LOW_CONTRAST),
 * which a hidden inbox preview used to trigger.
 */
const mailFrom = 'Tsunagaru <no-reply@events.example.org>';
const base = 'https://events.example.org';

/** The reference event with an organiser profile: its own name and accent, the installation's logo. */
function brandedEvent(): RenderInput['event'] {
  const event = referenceEvent();
  const logo = {
    id: 7,
    sha256: 'a'.repeat(64),
    contentType: 'image/svg+xml' as const,
    width: 150,
    height: 50,
  };
  return {
    ...event,
    branding: {
      organisation: { en: 'ILO Office for Japan', ja: 'ILO駐日事務所' },
      accent: '#7a1f5c',
      logo: null,
      cover: null,
    },
    installationBranding: { organisation: {}, accent: null, logo },
  };
}

function inputFor(kind: MailKind, lang: Language, branded = false): RenderInput {
  const status =
    kind === 'registration.waitlisted'
      ? 'waitlisted'
      : kind === 'registration.cancelled'
        ? 'cancelled'
        : 'confirmed';
  const links: RenderInput['links'] =
    kind === 'registration.cancelled' || kind === 'event.cancelled'
      ? { eventPage: `${base}/events/tsunagaru` }
      : {
          eventPage: `${base}/events/tsunagaru`,
          manage: `${base}/manage/M4nage-T0ken-0123456789abcdefghijkl`,
          ...(status === 'confirmed' ? { join: `${base}/join/J0in-T0ken-0123456789abcdefghijklmnop` } : {}),
          ...(optionalKinds.includes(kind)
            ? { unsubscribe: `${base}/unsubscribe/Uns0b-T0ken-0123456789ab` }
            : {}),
        };
  return {
    kind,
    lang,
    event: branded ? brandedEvent() : referenceEvent(),
    registration: {
      familyName: lang === 'ja' ? '山田' : 'Yamada',
      givenName: lang === 'ja' ? '花子' : 'Hanako',
      email: 'hanako@example.org',
      status,
      interpretation: 'en',
      locale: lang,
    },
    links,
    changes: kind === 'event.updated' ? { fields: ['meetingUrl'] } : undefined,
    reminder: kind === 'event.reminder' ? { minutesBefore: 60 } : undefined,
    followUp:
      kind === 'event.follow_up'
        ? {
            attended: true,
            text: { en: 'The recording is online.', ja: '録画を公開しました。' },
            materials: [
              { title: { en: 'Recording', ja: '録画' }, url: 'https://video.example.org/recording' },
            ],
          }
        : undefined,
    message:
      kind === 'event.message'
        ? {
            subject: { en: 'Speaker change', ja: '登壇者変更のお知らせ' },
            body: { en: 'Our second speaker has changed.', ja: '2人目の登壇者が変更になりました。' },
          }
        : undefined,
  };
}

async function rawMessage(kind: MailKind, lang: Language, branded = false): Promise<string> {
  const input = inputFor(kind, lang, branded);
  const options = composeMessage({
    kind,
    lang,
    event: input.event,
    to: { name: '山田 花子', address: 'hanako@example.org' },
    rendered: renderMail(input),
    unsubscribe: input.links.unsubscribe
      ? { url: input.links.unsubscribe, mailto: 'unsubscribe@events.example.org' }
      : undefined,
    mailFrom,
    messageId: newMessageId(mailFrom),
    date: new Date('2026-12-01T00:30:00Z'),
  });
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return String((await transport.sendMail(options)).message);
}

/** Each message of an mbox as SpamAssassin returns it: its kind and language, and its status, unfolded. */
function spamStatuses(mbox: string): { mail: string; status: string }[] {
  const out = execFileSync('spamassassin', ['-L', '--mbox', '--cf=use_bayes 0'], {
    input: mbox,
    maxBuffer: 64 * 1024 * 1024,
  });
  return out
    .toString('utf8')
    .split(/^From no-reply@events\.example\.org .*$/m)
    .slice(1)
    .map((message) => {
      const head = message
        .trimStart()
        .split('\n\n')[0]!
        .replace(/\n[ \t]+/g, ' ');
      const header = (name: string) => new RegExp(`^${name}: (.*)$`, 'm').exec(head)?.[1] ?? '?';
      return {
        mail: `${header('X-Tsunagaru-Kind')} ${header('Content-Language')}`,
        status: header('X-Spam-Status'),
      };
    });
}

describe('spam score of the mails', () => {
  it('when SpamAssassin is asked for its version, then it is installed (apt-get install spamassassin)', () => {
    expect(spawnSync('spamassassin', ['--version']).status).toBe(0);
  });

  it('when every kind in both languages is scored with local rules, then each scores 0.0 and no rule adds points', async () => {
    const names: string[] = [];
    let mbox = '';
    for (const kind of mailKinds) {
      for (const lang of ['en', 'ja'] as const) {
        names.push(`${kind} ${lang}`);
        mbox += `From no-reply@events.example.org Tue Dec  1 00:30:00 2026\n${await rawMessage(kind, lang)}\n`;
      }
    }
    const statuses = spamStatuses(mbox);
    expect(statuses.map((s) => s.mail).sort()).toEqual([...names].sort());
    // Rules worth no points (HTML_MESSAGE, NO_RECEIVED…) may fire; none that adds any.
    const scoring = statuses
      .map(({ mail, status }) => ({ mail, score: Number(/score=(-?[\d.]+)/.exec(status)?.[1]), status }))
      .filter(({ score, status }) => !(score <= 0) || status.includes('HTML_FONT_LOW_CONTRAST'));
    expect(scoring).toEqual([]);
  }, 120_000);

  it("when a branded event's confirmation, reminder and message are scored, then each scores 0.0 and no rule adds points", async () => {
    let mbox = '';
    const kinds: MailKind[] = ['registration.confirmed', 'event.reminder', 'event.message'];
    for (const kind of kinds) {
      for (const lang of ['en', 'ja'] as const) {
        const raw = await rawMessage(kind, lang, true);
        expect(raw).toContain('.mail.png');
        mbox += `From no-reply@events.example.org Tue Dec  1 00:30:00 2026\n${raw}\n`;
      }
    }
    const statuses = spamStatuses(mbox);
    expect(statuses).toHaveLength(6);
    const scoring = statuses
      .map(({ mail, status }) => ({ mail, score: Number(/score=(-?[\d.]+)/.exec(status)?.[1]), status }))
      .filter(({ score }) => !(score <= 0));
    expect(scoring).toEqual([]);
  }, 120_000);
});
