import fs from 'node:fs';
import path from 'node:path';
import type { EventRecord } from '../../src/events/events.types';
import type { Language } from '../../src/i18n';
import type { RenderInput } from '../../src/delivery/mail.types';
import { mailKinds, optionalKinds, type MailKind } from '../../src/outbox';
import { renderMail } from '../../src/delivery/render';
import { referenceEvent as demoReference } from '../helpers/events';

/**
 * The mails a registrant reads, rendered from plain data: every kind in both languages, what each kind
 * may and may not show, escaping in HTML (and none in text), bilingual mails, and the locale files.
 */

// The reference event: Wed 16 Dec 2026, 15:00–17:15 Tokyo time, shown for Tokyo and Zurich.
const zoneLine = '15:00–17:15 JST / 07:00–09:15 CET';
const dateLine: Record<Language, string> = {
  en: `Wed 16 Dec 2026, ${zoneLine}`,
  ja: `2026年12月16日(水) ${zoneLine}`,
};
const titles = {
  en: 'TSUNAGARU by Social & Solidarity Economy — ILO-JCA Joint Webinar',
  ja: 'ILO・JCA共催ウェビナー「TSUNAGARU（つながる）〜社会的連帯経済〜」',
};
const organisers = {
  en: 'ILO Office for Japan / Japan Cooperative Alliance (JCA)',
  ja: 'ILO駐日事務所／日本協同組合連携機構（JCA）',
};
const links = {
  eventPage: 'https://events.example/events/tsunagaru',
  join: 'https://events.example/join/J0in-T0ken-0123456789abcdefghijklmnop',
  manage: 'https://events.example/manage/M4nage-T0ken-0123456789abcdefghijkl',
  unsubscribe: 'https://events.example/unsubscribe/Uns0b-T0ken-0123456789abcdefghijk',
};
const materialUrl = 'https://www.ilo.org/topics/cooperatives-and-social-and-solidarity-economy';

function referenceEvent(overrides: Partial<EventRecord> = {}): EventRecord {
  return demoReference({
    slug: 'tsunagaru',
    title: { ...titles },
    summary: { en: 'A webinar.', ja: 'ウェビナーです。' },
    description: {},
    programme: {},
    organisers: { ...organisers },
    meetingPasscode: 'tsunagaru-2026',
    questions: [],
    ...overrides,
  });
}

/** The status a registrant has when each kind is sent to them in the ordinary case. */
const statusFor: Record<MailKind, RenderInput['registration']['status']> = {
  'registration.confirmed': 'confirmed',
  'registration.promoted': 'confirmed',
  'registration.waitlisted': 'waitlisted',
  'registration.already_registered': 'confirmed',
  'registration.cancelled': 'cancelled',
  'registration.pending': 'pending',
  'registration.declined': 'declined',
  'event.updated': 'confirmed',
  'event.cancelled': 'confirmed',
  'event.reminder': 'confirmed',
  'event.follow_up': 'confirmed',
  'event.message': 'confirmed',
  'event.invitation': 'confirmed',
  'event.invitation_reminder': 'confirmed',
};

/**
 * Links each kind ordinarily carries: personal join links only where a seat is held, the unsubscribe
 * link only with the kinds one may stop.
 */
function linksFor(kind: MailKind, status: RenderInput['registration']['status']): RenderInput['links'] {
  if (kind === 'registration.cancelled' || kind === 'event.cancelled') return { eventPage: links.eventPage };
  const unsubscribe = optionalKinds.includes(kind) ? { unsubscribe: links.unsubscribe } : {};
  if (status !== 'confirmed') return { eventPage: links.eventPage, manage: links.manage, ...unsubscribe };
  const { join, manage, eventPage } = links;
  return { eventPage, join, manage, ...unsubscribe };
}

/** The facts the optional kinds carry in the ordinary case: an hour's notice, a thank-you, a message. */
function factsFor(kind: MailKind): Pick<RenderInput, 'reminder' | 'followUp' | 'message'> {
  if (kind === 'event.reminder') return { reminder: { minutesBefore: 60 } };
  if (kind === 'event.follow_up') {
    return {
      followUp: {
        attended: true,
        text: { en: 'The recording is online.', ja: '録画を公開しました。' },
        materials: [{ title: { en: 'Recording', ja: '録画' }, url: 'https://video.example/recording' }],
      },
    };
  }
  if (kind === 'event.message') {
    return {
      message: {
        subject: { en: 'Speaker change', ja: '登壇者変更のお知らせ' },
        body: { en: 'Our second speaker has changed.', ja: '2人目の登壇者が変更になりました。' },
      },
    };
  }
  return {};
}

function input(kind: MailKind, lang: Language, overrides: Partial<RenderInput> = {}): RenderInput {
  const status = overrides.registration?.status ?? statusFor[kind];
  return {
    kind,
    lang,
    event: referenceEvent(),
    registration: {
      familyName: 'Yamada',
      givenName: 'Hanako',
      email: 'hanako@example.org',
      status,
      interpretation: 'en',
      locale: lang,
    },
    links: linksFor(kind, status),
    changes: kind === 'event.updated' ? { fields: ['meetingUrl'] } : undefined,
    ...factsFor(kind),
    ...overrides,
  };
}

/** The text between the tags of an HTML part, entities decoded: what a reader sees. */
function visibleText(html: string): string {
  return html
    .replace(/<div style="display:none[^"]*">[\s\S]*?<\/div>/, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&nbsp;|&#8204;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&#34;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');
}

const joinHeading = { en: 'How to join', ja: 'ご参加方法' };
const languagesBoth: Language[] = ['en', 'ja'];

describe('renderMail: what every kind says, in both languages', () => {
  describe.each(mailKinds.flatMap((kind) => languagesBoth.map((lang) => [kind, lang] as const)))(
    '%s in %s',
    (kind, lang) => {
      const mail = renderMail(input(kind, lang));

      it('when rendered, then the subject names the event in the mail language, on one line', () => {
        expect(mail.subject).toContain(titles[lang]);
        expect(mail.subject).not.toMatch(/\n/);
      });

      it('when rendered, then both parts give the date and the time in Tokyo and Zurich', () => {
        expect(visibleText(mail.html)).toContain(dateLine[lang]);
        expect(mail.text).toContain(dateLine[lang]);
        expect(mail.html).toContain(zoneLine);
      });

      it('when rendered, then both parts name the organisers, the contact (a mailto link in HTML) and the event page', () => {
        expect(visibleText(mail.html)).toContain(organisers[lang]);
        expect(mail.text).toContain(organisers[lang]);
        expect(mail.html).toContain('href="mailto:tokyo@ilo.example"');
        expect(mail.text).toContain('tokyo@ilo.example');
        expect(mail.html).toContain(`href="${links.eventPage}"`);
        expect(mail.text).toMatch(new RegExp(`^${links.eventPage}$`, 'm'));
      });

      it('when rendered, then the HTML is one self-contained document in the mail language with a visible preheader', () => {
        expect(mail.html).toMatch(/^<!doctype html>\n<html lang="(en|ja)">/);
        expect(mail.html).toContain(`<html lang="${lang}">`);
        expect(mail.html).toContain(`<td lang="${lang}"`);
        expect(mail.html).toContain('max-width:600px');
        // The inbox preview is a visible line: text hidden by colour or size is what spam filters score.
        expect(mail.html).toMatch(/<p class="preheader" style="[^"]*color:#4a5366;[^"]*">[^<]+<\/p>/);
        expect(mail.html).not.toMatch(/display:none|opacity:0|font-size:[01]px/);
        for (const external of ['<script', '<link', '<img', '<style', ' src=', 'url(']) {
          expect(mail.html).not.toContain(external);
        }
      });

      it('when rendered, then no link is empty and every translation key resolved', () => {
        expect(mail.html).not.toMatch(/href="\s*"/);
        for (const part of [mail.subject, mail.html, mail.text]) {
          expect(part).not.toMatch(/\b(registration|event)\.[a-z_]+\.[a-zA-Z]+\b/);
          expect(part).not.toMatch(
            /\b(details|join|manage|calendar|materials|bilingual|unsubscribe)\.[a-zA-Z]+\b/,
          );
          expect(part).not.toContain('{{');
          expect(part).not.toContain('undefined');
        }
      });

      it('when rendered, then the text part is plain text, not HTML', () => {
        expect(mail.text).not.toMatch(/<\/?[a-z][^>]*>/i);
        expect(mail.text).not.toMatch(/&(amp|lt|gt|nbsp|#\d+);/);
        expect(mail.text.endsWith('\n')).toBe(true);
        expect(mail.text).not.toMatch(/\n{3,}/);
      });
    },
  );
});

describe('renderMail: registration.confirmed and registration.promoted', () => {
  it.each(
    (['registration.confirmed', 'registration.promoted'] as const).flatMap((k) =>
      languagesBoth.map((l) => [k, l] as const),
    ),
  )(
    'when %s is rendered in %s, then both parts carry the join link, the passcode, the materials, the interpretation, the manage link and the calendar sentence',
    (kind, lang) => {
      const mail = renderMail(input(kind, lang));
      const html = visibleText(mail.html);
      expect(mail.html).toMatch(new RegExp(`<a href="${links.join}"[^>]*data-role="join"`));
      expect(html).toContain(links.join);
      expect(mail.text).toMatch(new RegExp(`^${links.join}$`, 'm'));
      expect(html).toContain('tsunagaru-2026');
      expect(mail.text).toContain('tsunagaru-2026');
      const material =
        lang === 'en' ? 'About the Social and Solidarity Economy (ILO)' : '社会的連帯経済について（ILO）';
      expect(html).toContain(material);
      expect(mail.html).toContain(`href="${materialUrl}"`);
      expect(mail.text).toMatch(new RegExp(`^${materialUrl}$`, 'm'));
      const english = lang === 'en' ? 'English' : '英語';
      expect(html).toContain(english);
      expect(mail.text).toContain(english);
      expect(mail.html).toContain(`href="${links.manage}"`);
      expect(mail.text).toMatch(new RegExp(`^${links.manage}$`, 'm'));
      const calendar =
        lang === 'en' ? 'A calendar invitation is attached' : 'カレンダー登録用の招待ファイルを添付';
      expect(html).toContain(calendar);
      expect(mail.text).toContain(calendar);
    },
  );

  it('when the registrant is told in Japanese, then the greeting and thanks read as business Japanese', () => {
    const mail = renderMail(
      input('registration.confirmed', 'ja', {
        registration: {
          ...input('registration.confirmed', 'ja').registration,
          familyName: '山田',
          givenName: '花子',
        },
      }),
    );
    expect(mail.subject).toBe(`【お申し込み完了】${titles.ja}`);
    expect(mail.text).toMatch(/^山田 花子 様$/m);
    expect(mail.text).toContain('このたびはお申し込みいただき、誠にありがとうございます。');
    expect(visibleText(mail.html)).toContain('山田 花子 様');
  });

  it('when the registrant is told in English, then the greeting is "Dear <given> <family>,"', () => {
    const mail = renderMail(input('registration.confirmed', 'en'));
    expect(mail.subject).toBe(`Registration confirmed: ${titles.en}`);
    expect(mail.text).toMatch(/^Dear Hanako Yamada,$/m);
  });

  it('when a promoted registrant is told, then the mail says they moved from the waiting list', () => {
    expect(renderMail(input('registration.promoted', 'en')).text).toContain('moved from the waiting list');
    expect(renderMail(input('registration.promoted', 'ja')).text).toContain('キャンセル待ちから参加確定');
  });

  it('when the event has no passcode and no materials, then neither heading nor an empty line for them is printed', () => {
    const mail = renderMail(
      input('registration.confirmed', 'en', {
        event: referenceEvent({ meetingPasscode: null, materials: [] }),
      }),
    );
    expect(mail.text).not.toContain('Passcode');
    expect(mail.text).not.toContain('Materials');
    expect(mail.html).not.toContain('Passcode');
    expect(mail.text).toContain(links.join);
  });

  it('when the caller passes no join link (e.g. a draft event), then no join section is printed and no empty href appears', () => {
    const mail = renderMail(
      input('registration.confirmed', 'en', { links: { eventPage: links.eventPage, manage: links.manage } }),
    );
    expect(mail.text).not.toContain(joinHeading.en);
    expect(mail.html).not.toContain('data-role="join"');
    expect(mail.html).not.toMatch(/href="\s*"/);
  });
});

describe('renderMail: registration.waitlisted', () => {
  it.each(languagesBoth)(
    'when a waitlisted registrant is told in %s, then there is no join section and no passcode, but there is the manage link',
    (lang) => {
      const mail = renderMail(input('registration.waitlisted', lang));
      for (const part of [mail.html, mail.text]) {
        expect(part).not.toContain(joinHeading[lang]);
        expect(part).not.toContain('tsunagaru-2026');
        expect(part).not.toContain('/join/');
        expect(part).toContain(links.manage);
      }
      expect(mail.html).not.toContain('data-role="join"');
      expect(mail.text).toContain(
        lang === 'en' ? 'we will e-mail you straight away' : '参加リンクをすぐにメールでお送りします',
      );
      expect(mail.text).toContain(lang === 'en' ? 'leave the waiting list' : 'キャンセル待ちの取り消し');
    },
  );

  it('when a join link is passed for a waitlisted registrant by mistake, then it is still not printed', () => {
    const mail = renderMail(input('registration.waitlisted', 'en', { links: { ...links } }));
    expect(mail.html).not.toContain(links.join);
    expect(mail.text).not.toContain(links.join);
    expect(mail.text).not.toContain('tsunagaru-2026');
  });
});

describe('renderMail: registration.already_registered', () => {
  it.each(languagesBoth)(
    'when the address holds a confirmed place (%s), then the mail says so and carries the join link and manage link',
    (lang) => {
      const mail = renderMail(input('registration.already_registered', lang));
      expect(mail.text).toContain(lang === 'en' ? 'Your place is confirmed.' : 'ご参加は確定しております。');
      expect(mail.text).toMatch(new RegExp(`^${links.join}$`, 'm'));
      expect(mail.text).toMatch(new RegExp(`^${links.manage}$`, 'm'));
      expect(mail.text).toContain(lang === 'en' ? 'If this was not you' : 'お心当たりがない場合');
    },
  );

  it('when the address is on the waiting list, then the mail says so, with the manage link and no join link or passcode', () => {
    const base = input('registration.already_registered', 'en');
    const mail = renderMail({
      ...base,
      registration: { ...base.registration, status: 'waitlisted' },
      links: { ...links },
    });
    expect(mail.text).toContain('You are on the waiting list.');
    expect(mail.text).toContain('Your registration: On the waiting list');
    expect(mail.text).toContain(links.manage);
    expect(mail.text).not.toContain(links.join);
    expect(mail.html).not.toContain(links.join);
    expect(mail.text).not.toContain('tsunagaru-2026');
  });
});

describe('renderMail: registration.cancelled', () => {
  it.each(languagesBoth)(
    'when a registrant cancelled (%s), then the mail confirms it, mentions the attached cancellation and links the event page to register again',
    (lang) => {
      const mail = renderMail(input('registration.cancelled', lang, { links: { ...links } }));
      expect(mail.text).toContain(
        lang === 'en' ? 'we have cancelled your registration' : 'お申し込みを取り消しました',
      );
      expect(mail.text).toContain(lang === 'en' ? 'open the attached cancellation' : '添付のキャンセル通知');
      expect(mail.text).toContain(lang === 'en' ? 'register again' : '再度お申し込み');
      expect(mail.html).toContain(`href="${links.eventPage}"`);
      // Nothing personal is left to use: no join link, no manage link, no passcode.
      for (const part of [mail.html, mail.text]) {
        expect(part).not.toContain(links.join);
        expect(part).not.toContain(links.manage);
        expect(part).not.toContain('tsunagaru-2026');
      }
    },
  );
});

describe('renderMail: event.updated', () => {
  const previousStartsAt = new Date('2026-12-15T14:00:00+09:00');
  const previousEndsAt = new Date('2026-12-15T16:00:00+09:00');

  it.each(languagesBoth)(
    'when the time changed (%s), then both parts show the new time and the previous one',
    (lang) => {
      const mail = renderMail(
        input('event.updated', lang, { changes: { fields: ['time'], previousStartsAt, previousEndsAt } }),
      );
      const previous =
        lang === 'en'
          ? 'Previously: Tue 15 Dec 2026, 14:00–16:00 JST / 06:00–08:00 CET'
          : '（変更前：2026年12月15日(火) 14:00–16:00 JST / 06:00–08:00 CET）';
      const now = lang === 'en' ? `New date and time: ${dateLine.en}` : `新しい日時：${dateLine.ja}`;
      expect(mail.text).toContain(now);
      expect(mail.text).toContain(previous);
      expect(visibleText(mail.html)).toContain(now);
      expect(visibleText(mail.html)).toContain(previous);
    },
  );

  it('when the title and the meeting link changed, then the previous title and "your join link still works" are shown, with the join link and updated invite', () => {
    const mail = renderMail(
      input('event.updated', 'en', {
        changes: { fields: ['title', 'meetingUrl'], previousTitle: 'SSE webinar (draft title)' },
      }),
    );
    expect(mail.text).toContain(`New title: ${titles.en}`);
    expect(mail.text).toContain('Previously: SSE webinar (draft title)');
    expect(mail.text).toContain('The meeting link has changed — your personal join link below still works.');
    expect(mail.text).not.toContain('New date and time');
    expect(mail.text).toMatch(new RegExp(`^${links.join}$`, 'm'));
    expect(mail.text).toContain('tsunagaru-2026');
    expect(mail.text).toContain(links.manage);
    expect(mail.text).toContain('Your calendar invitation has been updated; the new version is attached.');
  });

  it('when a waitlisted registrant is told of a change, then there is no join link, no passcode and no calendar sentence', () => {
    const base = input('event.updated', 'ja');
    const mail = renderMail({
      ...base,
      registration: { ...base.registration, status: 'waitlisted' },
      links: { eventPage: links.eventPage, manage: links.manage },
    });
    expect(mail.text).toContain('お席に空きが出ましたら、個人用の参加リンクをお送りします。');
    expect(mail.text).not.toContain('tsunagaru-2026');
    expect(mail.text).not.toContain('カレンダー');
    expect(mail.text).toContain(links.manage);
  });
});

describe('renderMail: event.cancelled', () => {
  it.each(languagesBoth)(
    'when the event is cancelled (%s), then the mail says so, apologises and gives the contact',
    (lang) => {
      const mail = renderMail(input('event.cancelled', lang));
      expect(mail.subject).toContain(lang === 'en' ? 'Event cancelled' : '開催中止');
      expect(mail.text).toContain(lang === 'en' ? 'We apologise' : 'お詫び申し上げます');
      expect(mail.html).toContain('href="mailto:tokyo@ilo.example"');
      expect(mail.text).toContain(
        lang === 'en' ? 'The attached cancellation removes the event' : '添付のキャンセル通知を開くと',
      );
    },
  );

  it('when a waitlisted registrant is told of the cancellation, then there is no calendar sentence', () => {
    const base = input('event.cancelled', 'en');
    const mail = renderMail({ ...base, registration: { ...base.registration, status: 'waitlisted' } });
    expect(mail.text).toContain('this event has been cancelled');
    expect(mail.text).not.toMatch(/calendar/i);
    expect(mail.html).not.toMatch(/calendar/i);
  });
});

describe('renderMail: escaping', () => {
  const hostile = (kind: MailKind) => {
    const base = input(kind, 'en');
    return renderMail({
      ...base,
      event: referenceEvent({
        title: { en: 'R&D <b>Bold</b> "quoted"', ja: '研究開発 <b>太字</b>' },
        organisers: { en: 'Tom & Jerry <i>Co</i>' },
      }),
      registration: {
        ...base.registration,
        givenName: '<script>alert(1)</script>',
        familyName: 'O\'Neil & "Sons"',
      },
    });
  };

  it.each(mailKinds)(
    'when the registrant and the event carry markup (%s), then the HTML shows it escaped and the text shows it as typed',
    (kind) => {
      const mail = hostile(kind);
      expect(mail.html).not.toContain('<script');
      expect(mail.html).not.toContain('<b>');
      expect(mail.html).not.toContain('<i>');
      expect(mail.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(mail.html).toContain('R&amp;D &lt;b&gt;Bold&lt;/b&gt; &#34;quoted&#34;');
      expect(mail.html).toContain('Tom &amp; Jerry &lt;i&gt;Co&lt;/i&gt;');
      expect(mail.text).toContain('Dear <script>alert(1)</script> O\'Neil & "Sons",');
      expect(mail.text).toContain('R&D <b>Bold</b> "quoted"');
      expect(mail.text).toContain('Tom & Jerry <i>Co</i>');
      expect(mail.subject).toContain('R&D <b>Bold</b> "quoted"');
    },
  );

  it('when a material link is not http(s), then it is left out rather than becoming a link', () => {
    const mail = renderMail(
      input('registration.confirmed', 'en', {
        event: referenceEvent({ materials: [{ title: { en: 'Evil' }, url: 'javascript:alert(1)' }] }),
      }),
    );
    expect(mail.html).not.toContain('javascript:');
    expect(mail.text).not.toContain('javascript:');
  });
});

describe('renderMail: bilingual mails and fallbacks', () => {
  it.each(languagesBoth)(
    'when the event sends bilingual mails and the recipient reads %s, then their language comes first, the other follows under its own heading, and the subject stays in theirs',
    (lang) => {
      const other: Language = lang === 'en' ? 'ja' : 'en';
      const mail = renderMail(
        input('registration.confirmed', lang, { event: referenceEvent({ bilingualMail: true }) }),
      );
      expect(mail.subject).toContain(titles[lang]);
      expect(mail.subject).not.toContain(titles[other]);

      const greeting = { en: 'Dear Hanako Yamada,', ja: 'Hanako Yamada 様' };
      const heading = { en: '[ English ]', ja: '[ 日本語 ]' };
      expect(mail.text.indexOf(greeting[lang])).toBeGreaterThanOrEqual(0);
      expect(mail.text.indexOf(greeting[other])).toBeGreaterThan(mail.text.indexOf(greeting[lang]));
      expect(mail.text.indexOf(heading[other])).toBeGreaterThan(mail.text.indexOf(greeting[lang]));
      expect(mail.text.indexOf(heading[other])).toBeLessThan(mail.text.indexOf(greeting[other]));
      expect(mail.text).toContain(dateLine[lang]);
      expect(mail.text).toContain(dateLine[other]);
      // The join link appears once per language in text.
      expect(mail.text.split(links.join).length - 1).toBe(2);

      const sections = [...mail.html.matchAll(/<td lang="(en|ja)" style="padding:28px/g)].map((m) => m[1]);
      expect(sections).toEqual([lang, other]);
      expect(mail.html).toContain(`<html lang="${lang}">`);
      expect(visibleText(mail.html)).toContain(titles[other]);
    },
  );

  it('when the event has no title in the mail language, then the other language is used and marked with its lang', () => {
    const mail = renderMail(
      input('registration.confirmed', 'en', { event: referenceEvent({ title: { ja: titles.ja } }) }),
    );
    expect(mail.subject).toBe(`Registration confirmed: ${titles.ja}`);
    expect(mail.html).toContain(`lang="ja">${titles.ja}</p>`);
  });

  it('when the registrant wrote their name in Japanese script, then it reads family name first in English too', () => {
    const base = input('registration.confirmed', 'en');
    const mail = renderMail({
      ...base,
      registration: { ...base.registration, familyName: '山田', givenName: '花子' },
    });
    expect(mail.text).toMatch(/^Dear 山田 花子,$/m);
  });
});

describe('mail locales', () => {
  function keys(value: unknown, prefix = ''): string[] {
    if (typeof value !== 'object' || value === null) return [prefix];
    return Object.entries(value).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k));
  }
  const read = (lang: Language) =>
    JSON.parse(
      fs.readFileSync(path.resolve(__dirname, '../../locales', lang, 'mail.json'), 'utf8'),
    ) as unknown;

  it('when the English and Japanese mail locales are compared, then every key exists in both', () => {
    const en = keys(read('en')).sort();
    const ja = keys(read('ja')).sort();
    expect(en.length).toBeGreaterThan(40);
    expect(ja).toEqual(en);
  });

  it('when every kind is looked up, then each has a subject with the title, a heading, a preheader and a reason in both languages', () => {
    for (const lang of languagesBoth) {
      const doc = read(lang) as Record<string, Record<string, Record<string, string>>>;
      for (const kind of mailKinds) {
        const [group, name] = kind.split('.') as [string, string];
        const entry = doc[group]?.[name];
        expect(entry?.subject).toContain('{{title}}');
        expect(entry?.heading).toBeTruthy();
        expect(entry?.preheader).toBeTruthy();
        expect(entry?.why).toBeTruthy();
      }
    }
  });
});
