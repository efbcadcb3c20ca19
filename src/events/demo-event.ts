import { DateTime } from 'luxon';
import type pg from 'pg';
import { withTransaction } from '../db/pool';
import { loggerFor } from '../logger';
import type { EventInput } from './events.schemas';
import { appStateValue, eventCount, lockForTask, lockSlug, setAppState } from './events.queries';
import { insertNewEvent, parseEventInput } from './events.service';

const log = loggerFor('demo-event');
const SEED_LOCK = 7_146_823_002;
const SEEDED_KEY = 'demo_event_seeded';

/**
 * The reference webinar ("TSUNAGARU by Social & Solidarity Economy", ILO Office for Japan and the Japan
 * Cooperative Alliance) as a ready-to-try event, so a fresh install shows something real. It starts 28
 * days after `now` at 15:00–17:15 Tokyo time; registration closes two days before, at 23:59 Tokyo time.
 */
export function demoEvent(now: Date): EventInput {
  const day = DateTime.fromJSDate(now, { zone: 'Asia/Tokyo' }).plus({ days: 28 }).startOf('day');
  const startsAt = day.set({ hour: 15 });
  const endsAt = day.set({ hour: 17, minute: 15 });
  const closes = day.minus({ days: 2 }).set({ hour: 23, minute: 59 });
  return {
    slug: 'tsunagaru-demo',
    status: 'published',
    title: {
      en: 'TSUNAGARU by Social & Solidarity Economy — ILO-JCA Joint Webinar',
      ja: 'ILO・JCA共催ウェビナー「TSUNAGARU（つながる）〜社会的連帯経済〜」',
    },
    summary: {
      en: '"Tsunagaru" is a Japanese term meaning "bridging" or "solidarity". This webinar will help deepen our understanding of the Social and Solidarity Economy (SSE) through international experiences and reports on SSE practices in Japan. Please join us!',
      ja: '「つながる」は英語で「bridging（橋渡し）」や「solidarity（連帯）」を意味する言葉です。本ウェビナーでは、海外の経験と日本国内の実践報告を通じて、社会的連帯経済（SSE）への理解を深めます。ぜひご参加ください。',
    },
    description: {
      en: 'At the 110th International Labour Conference (ILC) in June 2022, the ILO held a General Discussion on the "Social and Solidarity Economy for a Human-Centred Future of Work and Recovery from the COVID-19". In recent years the SSE has been gaining momentum and recognition, nationally and internationally, as a driver of inclusive and sustainable economic development and recovery.\n\nInterpretation in English and Japanese will be available throughout the webinar. Participation is free.\n\nTarget audience: cooperatives and other SSE stakeholders interested in SSE and ILO activities, researchers, students and others.\n\nSupported by the Ministry of Health, Labour and Welfare (MHLW) (TBC) and the Japan Association for the Advancement of ILO Activities.\n\nThe webinar link and seminar materials will be sent to your e-mail address.',
      ja: '2022年6月の第110回ILO総会では、「人間中心の仕事の未来とCOVID-19からの回復のための社会的連帯経済」に関する一般討議が行われました。近年、社会的連帯経済（SSE）は、包摂的で持続可能な経済発展と回復の推進力として、国内外で注目と評価を高めています。\n\nウェビナーは全編を通じて日英の通訳があります。参加費は無料です。\n\n対象：SSEやILOの活動に関心のある協同組合をはじめとするSSE関係者、研究者、学生など。\n\n後援：厚生労働省（予定）、公益財団法人ILO協会。\n\nウェビナーの参加リンクとセミナー資料は、お申し込みいただいたメールアドレスにお送りします。',
    },
    programme: {
      en: "Opening remarks — Mr. Shinichi TAKASAKI, Director, ILO Office for Japan\nKeynote: Social and Solidarity Economy (SSE) in the World and ILO's Efforts — Mr. Jürgen SCHWETTMANN, ILO Consultant\nKeynote: The Present and Future of Social and Solidarity Economy (SSE) in Japan — Prof. Kentaro ITAMI, Hosei University Graduate School for Social Governance\nPanel discussion: Deepen the Understanding of Social and Solidarity Economy (SSE) through Community Practices\nClosing remarks — Mr. Masahiro HIGA, Senior Managing Director, Japan Cooperative Alliance (JCA)",
      ja: '開会挨拶 — 高崎真一（ILO駐日事務所 代表）\n基調講演：世界の社会的連帯経済（SSE）とILOの取り組み — ユルゲン・シュベットマン（ILOコンサルタント）\n基調講演：日本における社会的連帯経済（SSE）の現在と未来 — 伊丹謙太郎（法政大学大学院 公共政策研究科 教授）\nパネルディスカッション：地域の実践から社会的連帯経済（SSE）への理解を深める\n閉会挨拶 — 比嘉政浩（日本協同組合連携機構（JCA）代表理事専務）',
    },
    organisers: {
      en: 'ILO Office for Japan / Japan Cooperative Alliance (JCA)',
      ja: 'ILO駐日事務所／日本協同組合連携機構（JCA）',
    },
    startsAt: startsAt.toISO()!,
    endsAt: endsAt.toISO()!,
    timezone: 'Asia/Tokyo',
    displayTimezones: ['Asia/Tokyo', 'Europe/Zurich'],
    registrationOpensAt: null,
    registrationClosesAt: closes.toISO()!,
    capacity: 500,
    waitlist: true,
    approval: false,
    meetingUrl: 'https://zoom.example/j/81234567890',
    meetingPasscode: 'tsunagaru',
    contactEmail: 'tokyo@ilo.example',
    questions: [
      {
        id: 'heard-from',
        type: 'single',
        label: {
          en: 'How did you hear about this webinar?',
          ja: 'このウェビナーを何でお知りになりましたか。',
        },
        required: false,
        options: [
          {
            value: 'newsletter',
            label: { en: 'Newsletter or mailing list', ja: 'ニュースレター・メーリングリスト' },
          },
          { value: 'colleague', label: { en: 'A colleague or friend', ja: '同僚・知人' } },
          { value: 'web', label: { en: 'Website or social media', ja: 'ウェブサイト・SNS' } },
          { value: 'other', label: { en: 'Other', ja: 'その他' } },
        ],
      },
      {
        id: 'speaker-question',
        type: 'text',
        label: { en: 'A question for the speakers (optional)', ja: '登壇者への質問（任意）' },
        required: false,
        options: [],
      },
    ],
    reminders: ['P1D', 'PT1H'],
    materials: [
      {
        title: { en: 'About the Social and Solidarity Economy (ILO)', ja: '社会的連帯経済について（ILO）' },
        url: 'https://www.ilo.org/topics/cooperatives-and-social-and-solidarity-economy',
      },
    ],
    followUp: {
      after: 'PT2H',
      attended: {
        en: 'Thank you for joining TSUNAGARU today. The slides and the recording will be added below as soon as they are ready.',
        ja: '本日はTSUNAGARUにご参加いただき、誠にありがとうございました。発表資料と録画は、準備が整い次第、下記に掲載いたします。',
      },
      absent: {
        en: 'We are sorry we missed you at TSUNAGARU today. The slides and the recording will be added below as soon as they are ready.',
        ja: '本日のTSUNAGARUにはご参加いただけず残念でした。発表資料と録画は、準備が整い次第、下記に掲載いたします。',
      },
      materials: [],
    },
    bilingualMail: false,
    zoom: null,
    attendanceMinutes: 10,
    retentionDays: 365,
    embedOrigins: [],
    // The demo carries no branding, so a fresh install shows the site's own look.
    branding: { organisation: {}, accent: null },
  };
}

/**
 * On the first start of an installation with no events, adds the demo event. Runs under an advisory
 * lock and remembers that it ran, so concurrent starts seed once and a deleted demo stays deleted.
 */
export async function seedDemoEvent(pool: pg.Pool, now: Date): Promise<boolean> {
  const seeded = await withTransaction(pool, async (tx) => {
    await lockForTask(tx, SEED_LOCK);
    const input = parseEventInput(demoEvent(now));
    // The slug lock too, so an event created meanwhile under the same slug is counted, not replaced.
    await lockSlug(tx, input.slug);
    if ((await appStateValue(tx, SEEDED_KEY)) !== undefined || (await eventCount(tx)) > 0) return false;
    await insertNewEvent(tx, input, { now, actor: 'system:seed' });
    await setAppState(tx, SEEDED_KEY, now.toISOString());
    return true;
  });
  if (seeded) log.info('demo event tsunagaru-demo created');
  return seeded;
}
