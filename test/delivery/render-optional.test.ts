import type { EventRecord } from '../../src/events/events.types';
import type { Language } from '../../src/i18n';
import type { FollowUpFacts, MessageFacts, RenderInput } from '../../src/delivery/mail.types';
import type { MailKind } from '../../src/outbox';
import { renderMail } from '../../src/delivery/render';
import { linkPieces, paragraphs, timeLeft } from '../../src/delivery/render-text';
import { referenceEvent as demoReference } from '../helpers/events';

/**
 * The mails a registrant may stop (reminder, follow-up, organiser's message): the time left, the two
 * follow-up versions, the organiser's text as paragraphs with safe links, and the unsubscribe footer.
 * The checks every kind shares (dates, organisers, escaping of titles and names) are in render.test.ts.
 */

const titles = {
  en: 'TSUNAGARU by Social & Solidarity Economy — ILO-JCA Joint Webinar',
  ja: 'ILO・JCA共催ウェビナー「TSUNAGARU（つながる）〜社会的連帯経済〜」',
};
const links = {
  eventPage: 'https://events.example/events/tsunagaru',
  join: 'https://events.example/join/J0in-T0ken-0123456789abcdefghijklmnop',
  manage: 'https://events.example/manage/M4nage-T0ken-0123456789abcdefghijkl',
  unsubscribe: 'https://events.example/unsubscribe/Uns0b-T0ken-0123456789abcdefghijk',
};
const passcode = 'tsunagaru-2026';
const eventMaterialUrl = 'https://www.ilo.org/topics/cooperatives-and-social-and-solidarity-economy';
const recordingUrl = 'https://video.example/recording';

function referenceEvent(overrides: Partial<EventRecord> = {}): EventRecord {
  return demoReference({ title: { ...titles }, meetingPasscode: passcode, ...overrides });
}

/** A confirmed registrant with every personal link; overrides replace whole fields. */
function input(kind: MailKind, lang: Language, overrides: Partial<RenderInput> = {}): RenderInput {
  return {
    kind,
    lang,
    event: referenceEvent(),
    registration: {
      familyName: 'Yamada',
      givenName: 'Hanako',
      email: 'hanako@example.org',
      status: 'confirmed',
      interpretation: 'en',
      locale: lang,
    },
    links: { ...links },
    ...overrides,
  };
}

function waitlisted(base: RenderInput): RenderInput {
  return { ...base, registration: { ...base.registration, status: 'waitlisted' } };
}

/** The follow-up facts: the organiser's text for the version, and a recording link. */
function followUp(attended: boolean, facts?: FollowUpFacts): Pick<RenderInput, 'followUp'> {
  return {
    followUp: facts ?? {
      attended,
      text: {
        en: attended ? 'Thank you for your questions.' : 'The recording is now online.',
        ja: attended ? 'ご質問ありがとうございました。' : '録画を公開いたしました。',
      },
      materials: [{ title: { en: 'Recording', ja: '録画' }, url: recordingUrl }],
    },
  };
}

/** An organiser's message in both languages; overrides replace the subject or the body. */
function message(overrides: Partial<MessageFacts> = {}): Pick<RenderInput, 'message'> {
  return {
    message: {
      subject: { en: 'Speaker change', ja: '登壇者変更のお知らせ' },
      body: { en: 'Our second speaker has changed.', ja: '2人目の登壇者が変更になりました。' },
      ...overrides,
    },
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

describe('renderMail: event.reminder, the time left', () => {
  it.each([
    [30, 'in 30 minutes', '30分後に'],
    [1, 'in 1 minute', '1分後に'],
    [60, 'in 1 hour', '1時間後に'],
    [90, 'in 1 hour', '1時間後に'],
    [91, 'in 2 hours', '2時間後に'],
    [1439, 'in 24 hours', '24時間後に'],
    [1440, 'in 1 day', '1日後に'],
    [2160, 'in 1 day', '1日後に'],
    [2880, 'in 2 days', '2日後に'],
  ])('when the reminder goes %i minutes before, then it says "%s" / "%s"', (minutesBefore, en, ja) => {
    const english = renderMail(input('event.reminder', 'en', { reminder: { minutesBefore } }));
    const japanese = renderMail(input('event.reminder', 'ja', { reminder: { minutesBefore } }));
    expect(english.subject).toBe(`Reminder: ${titles.en} starts ${en}`);
    expect(japanese.subject).toBe(`【リマインダー】${titles.ja}は${ja}始まります`);
    expect(english.text).toContain(`the event you registered for starts ${en}.`);
    expect(japanese.text).toContain(`お申し込みいただいているイベントが${ja}開始いたしますので`);
    expect(visibleText(english.html)).toContain(`starts ${en}.`);
    expect(visibleText(japanese.html)).toContain(`${ja}開始いたします`);
  });

  it.each([[undefined], [0], [-15]])(
    'when the time left is %s, then the reminder says it starts soon',
    (minutesBefore) => {
      const reminder = minutesBefore === undefined ? undefined : { minutesBefore };
      expect(renderMail(input('event.reminder', 'en', { reminder })).subject).toBe(
        `Reminder: ${titles.en} starts soon`,
      );
      expect(renderMail(input('event.reminder', 'ja', { reminder })).subject).toBe(
        `【リマインダー】${titles.ja}はまもなく始まります`,
      );
    },
  );

  it('when a tie is rounded, then it goes to the shorter time, so nobody is told they have longer than they do', () => {
    expect(timeLeft(90)).toEqual({ key: 'hours', count: 1 });
    expect(timeLeft(2160)).toEqual({ key: 'days', count: 1 });
    expect(timeLeft(59.6)).toEqual({ key: 'hours', count: 1 });
    expect(timeLeft(0.4)).toEqual({ key: 'soon' });
    expect(timeLeft(Number.NaN)).toEqual({ key: 'soon' });
  });
});

describe('renderMail: event.reminder, what it carries', () => {
  it.each<Language>(['en', 'ja'])(
    'when a confirmed registrant is reminded (%s), then both parts carry the join link, the passcode, the materials, the manage link and the unsubscribe link, and no calendar sentence',
    (lang) => {
      const mail = renderMail(input('event.reminder', lang, { reminder: { minutesBefore: 60 } }));
      expect(mail.html).toMatch(new RegExp(`<a href="${links.join}"[^>]*data-role="join"`));
      for (const part of [mail.html, mail.text]) {
        expect(part).toContain(passcode);
        expect(part).toContain(eventMaterialUrl);
        expect(part).toContain(links.manage);
        expect(part).toContain(links.unsubscribe);
        expect(part).not.toMatch(/calendar|カレンダー/i);
      }
      expect(mail.text).toMatch(new RegExp(`^${links.join}$`, 'm'));
      expect(mail.text).toMatch(new RegExp(`^${links.unsubscribe}$`, 'm'));
    },
  );

  it('when a waitlisted registrant is reminded, then there is no join link, no passcode and no materials, and the mail says they are on the waiting list', () => {
    const mail = renderMail(waitlisted(input('event.reminder', 'en', { reminder: { minutesBefore: 60 } })));
    for (const part of [mail.html, mail.text]) {
      expect(part).not.toContain('/join/');
      expect(part).not.toContain(passcode);
      expect(part).not.toContain(eventMaterialUrl);
      expect(part).toContain(links.manage);
      expect(part).toContain(links.unsubscribe);
    }
    expect(mail.html).not.toContain('data-role="join"');
    expect(mail.text).toContain('Your registration: On the waiting list');
  });
});

describe('renderMail: event.follow_up', () => {
  it.each([
    [
      true,
      'en',
      `Thank you for joining: ${titles.en}`,
      'Thank you very much for taking part',
      'Thank you for your questions.',
    ],
    [
      false,
      'en',
      `Sorry we missed you: ${titles.en}`,
      'We are sorry we missed you',
      'The recording is now online.',
    ],
    [
      true,
      'ja',
      `【ご参加御礼】${titles.ja}`,
      'ご参加いただき、誠にありがとうございました',
      'ご質問ありがとうございました。',
    ],
    [
      false,
      'ja',
      `【開催のご報告】${titles.ja}`,
      '当日はお会いできず残念でしたが',
      '録画を公開いたしました。',
    ],
  ] as const)(
    'when attended is %s (%s), then the subject is "%s" and the body thanks or regrets, then gives the organiser\'s text',
    (attended, lang, subject, intro, text) => {
      const mail = renderMail(input('event.follow_up', lang as Language, followUp(attended)));
      expect(mail.subject).toBe(subject);
      expect(mail.text).toContain(intro);
      expect(mail.text).toMatch(new RegExp(`^${text}$`, 'm'));
      expect(mail.text.indexOf(intro)).toBeLessThan(mail.text.indexOf(text));
      expect(visibleText(mail.html)).toContain(text);
    },
  );

  it('when a follow-up link is also one of the event materials, then the mail lists it once', () => {
    const facts = {
      attended: true,
      text: { en: 'Thanks.', ja: 'ありがとうございました。' },
      materials: [{ title: { en: 'Slides (final)', ja: 'スライド（最終版）' }, url: eventMaterialUrl }],
    };
    const mail = renderMail(input('event.follow_up', 'en', followUp(true, facts)));
    expect(mail.text.split(eventMaterialUrl).length - 1).toBe(1);
    expect(mail.text).toContain('Slides (final)');
  });

  it("when a follow-up is rendered, then its own materials come before the event's, in one list, with no join link and no calendar sentence", () => {
    const mail = renderMail(input('event.follow_up', 'en', followUp(true)));
    expect(mail.text.indexOf(recordingUrl)).toBeGreaterThan(0);
    expect(mail.text.indexOf(recordingUrl)).toBeLessThan(mail.text.indexOf(eventMaterialUrl));
    expect(mail.html.indexOf(`href="${recordingUrl}"`)).toBeLessThan(
      mail.html.indexOf(`href="${eventMaterialUrl}"`),
    );
    expect(mail.text.split('Materials').length - 1).toBe(1);
    expect(mail.html.match(/<ul /g)).toHaveLength(1);
    for (const part of [mail.html, mail.text]) {
      expect(part).not.toContain('/join/');
      expect(part).not.toContain(passcode);
      expect(part).not.toMatch(/calendar/i);
      expect(part).toContain(links.manage);
      expect(part).toContain(links.unsubscribe);
    }
  });

  it('when the follow-up text exists only in Japanese, then the English mail shows it marked lang="ja"', () => {
    const mail = renderMail(
      input(
        'event.follow_up',
        'en',
        followUp(true, { attended: true, text: { ja: 'ご参加ありがとうございました。' }, materials: [] }),
      ),
    );
    expect(mail.html).toMatch(/<p [^>]*lang="ja">ご参加ありがとうございました。<\/p>/);
    expect(mail.text).toContain('ご参加ありがとうございました。');
  });
});

describe('renderMail: event.message', () => {
  it.each([
    ['en', `Speaker change – ${titles.en}`, 'Our second speaker has changed.'],
    ['ja', `【登壇者変更のお知らせ】${titles.ja}`, '2人目の登壇者が変更になりました。'],
  ] as const)(
    'when a message is rendered in %s, then the subject is "%s" and the body is the organiser\'s',
    (lang, subject, body) => {
      const mail = renderMail(input('event.message', lang, message()));
      expect(mail.subject).toBe(subject);
      expect(mail.text).toMatch(new RegExp(`^${body}$`, 'm'));
      expect(visibleText(mail.html)).toContain(body);
      expect(mail.html).toMatch(new RegExp(`<a href="${links.join}"[^>]*data-role="join"`));
      expect(mail.text).toContain(passcode);
    },
  );

  it('when the subject exists only in the other language, then that is used; and organiser text is never read as a translation', () => {
    const mail = renderMail(
      input('event.message', 'en', message({ subject: { ja: '{{title}} $t(greeting) のお知らせ' } })),
    );
    expect(mail.subject).toBe(`{{title}} $t(greeting) のお知らせ – ${titles.en}`);
  });

  it('when the body has blank lines and single line breaks, then HTML has one paragraph per block with <br> inside, and the text part keeps the lines as written', () => {
    const body = 'First line\nsecond line  \n\n\n  \nNext paragraph\r\n\r\nLast';
    const mail = renderMail(input('event.message', 'en', message({ body: { en: body } })));
    expect(mail.html).toMatch(/>First line<br>\nsecond line<\/p>/);
    expect(mail.html).toMatch(/>Next paragraph<\/p>/);
    expect(mail.html).toMatch(/>Last<\/p>/);
    expect(mail.text).toContain('First line\nsecond line\n\nNext paragraph\n\nLast\n');
  });

  it('when the body holds a web address, then HTML links it (without the full stop after it) and the text part prints it as written', () => {
    const body =
      'Slides: https://slides.example/deck?a=1&b=2. 資料はhttps://slides.example/jaからご覧ください。';
    const mail = renderMail(input('event.message', 'en', message({ body: { en: body } })));
    expect(mail.html).toContain('<a href="https://slides.example/deck?a=1&amp;b=2" target="_blank"');
    expect(mail.html).toContain('>https://slides.example/deck?a=1&amp;b=2</a>.');
    expect(mail.html).toContain('資料は<a href="https://slides.example/ja"');
    expect(mail.text).toContain(body);
  });

  it('when the body carries markup, a javascript: address or a quote inside an address, then HTML escapes them and links only the http(s) part', () => {
    const body =
      '<script>alert(1)</script> <a href="x">x</a>\njavascript:alert(1)\nhttps://ok.example/"onmouseover="alert(1)';
    const mail = renderMail(input('event.message', 'en', message({ body: { en: body } })));
    expect(mail.html).not.toContain('<script');
    expect(mail.html).not.toContain('<a href="x"');
    expect(mail.html).toContain(
      '&lt;script&gt;alert(1)&lt;/script&gt; &lt;a href=&#34;x&#34;&gt;x&lt;/a&gt;',
    );
    expect(mail.html).not.toMatch(/href="javascript:/i);
    expect(mail.html).toContain('<a href="https://ok.example/" target="_blank"');
    expect(mail.html).toContain('&#34;onmouseover=&#34;alert(1)');
    expect(mail.html).not.toMatch(/"onmouseover=/);
    expect(mail.text).toContain(body);
  });

  it('when the event sends bilingual mails, then each section carries the body in its own language', () => {
    const mail = renderMail(
      input('event.message', 'ja', { event: referenceEvent({ bilingualMail: true }), ...message() }),
    );
    const ja = mail.text.indexOf('2人目の登壇者が変更になりました。');
    const en = mail.text.indexOf('Our second speaker has changed.');
    expect(ja).toBeGreaterThan(0);
    expect(en).toBeGreaterThan(ja);
    expect(mail.html).toMatch(
      /<td lang="ja"[\s\S]*2人目の登壇者[\s\S]*<td lang="en"[\s\S]*Our second speaker/,
    );
    expect(mail.subject).toBe(`【登壇者変更のお知らせ】${titles.ja}`);
  });

  it('when a waitlisted registrant gets a message, then it has the body and the manage link but no join link or passcode', () => {
    const mail = renderMail(waitlisted(input('event.message', 'en', message())));
    for (const part of [mail.html, mail.text]) {
      expect(part).toContain('Our second speaker has changed.');
      expect(part).not.toContain('/join/');
      expect(part).not.toContain(passcode);
      expect(part).toContain(links.manage);
    }
  });
});

describe('renderMail: the unsubscribe footer', () => {
  const facts: Record<string, Partial<RenderInput>> = {
    'event.reminder': { reminder: { minutesBefore: 60 } },
    'event.follow_up': followUp(true),
    'event.message': message(),
  };

  it.each(
    (['event.reminder', 'event.follow_up', 'event.message'] as const).flatMap((k) =>
      (['en', 'ja'] as const).map((l) => [k, l] as const),
    ),
  )(
    'when %s (%s) is given an unsubscribe link, then both parts offer it and say that confirmations still come',
    (kind, lang) => {
      const mail = renderMail(input(kind, lang, facts[kind]));
      const still =
        lang === 'en' ? 'Confirmations and notices of changes' : '配信停止後も引き続きお送りします';
      expect(mail.html).toMatch(
        new RegExp(`data-role="unsubscribe">[^<]*<br><a href="${links.unsubscribe}"`),
      );
      expect(mail.text).toMatch(new RegExp(`^${links.unsubscribe}$`, 'm'));
      expect(visibleText(mail.html)).toContain(still);
      expect(mail.text).toContain(still);
      // Before the sign-off and the reason for the mail.
      const signoff = lang === 'en' ? 'Kind regards,' : '今後ともどうぞよろしくお願いいたします。';
      expect(mail.text.indexOf(links.unsubscribe)).toBeLessThan(mail.text.indexOf(signoff));
    },
  );

  it('when an optional kind has no unsubscribe link, then no footer and no empty link are printed', () => {
    const base = input('event.reminder', 'en', facts['event.reminder']);
    const mail = renderMail({
      ...base,
      links: { eventPage: links.eventPage, join: links.join, manage: links.manage },
    });
    expect(mail.html).not.toContain('data-role="unsubscribe"');
    expect(mail.text).not.toContain('Unsubscribe');
    expect(mail.html).not.toMatch(/href="\s*"/);
  });

  it.each(['registration.confirmed', 'event.updated', 'registration.waitlisted'] as const)(
    'when %s is given an unsubscribe link by mistake, then it is not printed: transactional mails cannot be stopped',
    (kind) => {
      const mail = renderMail(
        input(kind, 'en', kind === 'event.updated' ? { changes: { fields: ['title'] } } : {}),
      );
      for (const part of [mail.html, mail.text]) {
        expect(part).not.toContain(links.unsubscribe);
        expect(part).not.toMatch(/unsubscribe/i);
      }
    },
  );

  it('when the unsubscribe link is not http(s), then it is left out', () => {
    const base = input('event.message', 'en', message());
    const mail = renderMail({ ...base, links: { ...links, unsubscribe: 'javascript:alert(1)' } });
    expect(mail.html).not.toContain('javascript:');
    expect(mail.html).not.toContain('data-role="unsubscribe"');
  });
});

describe('render-text: organiser text', () => {
  it('when text has Windows line ends, blank lines with spaces and trailing spaces, then paragraphs and lines come out clean', () => {
    expect(paragraphs('\r\n  \r\nA  \r\nB\r\n \u3000\r\nC\n\n')).toEqual([
      { text: 'A\nB', lines: [[{ text: 'A' }], [{ text: 'B' }]] },
      { text: 'C', lines: [[{ text: 'C' }]] },
    ]);
    expect(paragraphs(' \n\n ')).toEqual([]);
  });

  it('when a line holds addresses, then only http(s) ones become links, without trailing punctuation or an unopened bracket', () => {
    expect(linkPieces('(see https://a.example/x), or https://en.wikipedia.org/wiki/Foo_(bar)!')).toEqual([
      { text: '(see ' },
      { text: 'https://a.example/x', href: 'https://a.example/x' },
      { text: '), or ' },
      { text: 'https://en.wikipedia.org/wiki/Foo_(bar)', href: 'https://en.wikipedia.org/wiki/Foo_(bar)' },
      { text: '!' },
    ]);
    expect(linkPieces('ftp://a.example javascript:alert(1) https:// https://.')).toEqual([
      { text: 'ftp://a.example javascript:alert(1) https:// https://.' },
    ]);
    expect(linkPieces('<https://a.example/"x>')).toEqual([
      { text: '<' },
      { text: 'https://a.example/', href: 'https://a.example/' },
      { text: '"x>' },
    ]);
  });
});
