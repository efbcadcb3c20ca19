import { z } from 'zod';
import { checkAccent } from '../branding';
import { emailText, multilineText, text } from '../text';
import { canonicalOffset, isValidTimeZone, maxOffsetMinutes, offsetMinutes } from '../time';

/**
 * The event JSON shape: one definition for the CLI's import/export and the REST API. Problems are
 * reported as locale keys with a JSON path each, so every error in a file is listed at once.
 */
const slugPattern = /^[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?$/;

/** A text in each language; `multiline` for the ones shown as paragraphs (summary, description…). */
const texts = (max: number, multiline = false) => {
  const one = () => (multiline ? multilineText() : text()).trim().min(1).max(max).optional();
  return z.object({ en: one(), ja: one() }).strict();
};

const requiredTexts = (max: number) =>
  texts(max).refine((v) => Boolean(v.en || v.ja), { message: 'validation:event.textMissing' });

const instant = z.iso.datetime({ offset: true, message: 'validation:event.instant' });
const timeZone = z.string().refine(isValidTimeZone, { message: 'validation:event.timezone' });

const question = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, 'validation:event.questionId'),
    type: z.enum(['text', 'single', 'multiple']),
    label: requiredTexts(300),
    required: z.boolean().default(false),
    options: z
      .array(
        z.object({ value: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/), label: requiredTexts(200) }).strict(),
      )
      .max(50)
      .default([]),
  })
  .strict()
  .refine((q) => q.type === 'text' || q.options.length >= 2, {
    message: 'validation:event.questionOptions',
    path: ['options'],
  });

/** An offset in weeks, days, hours or minutes (1 minute to 90 days), stored in its one spelling. */
const offset = z.string().transform((v, ctx) => {
  const minutes = offsetMinutes(v);
  if (minutes === undefined || minutes < 1 || minutes > maxOffsetMinutes) {
    ctx.addIssue({ code: 'custom', message: 'validation:event.reminder' });
    return z.NEVER;
  }
  return canonicalOffset(minutes);
});

/** Reminders: each moment once (PT24H and P1D are the same reminder), the earliest first. */
const reminderList = z
  .array(offset)
  .max(10)
  .transform((list) => [...new Set(list)].sort((a, b) => offsetMinutes(b)! - offsetMinutes(a)!));

const material = z
  .object({
    title: requiredTexts(300),
    url: z.url({ protocol: /^https?$/, message: 'validation:event.materialUrl' }),
  })
  .strict();

/**
 * A web origin allowed to frame the event's embedded form: `https://host[:port]` with nothing after it
 * (a trailing `/` is dropped), since a browser compares frame-ancestors against an origin.
 */
const embedOrigin = z.string().transform((v, ctx) => {
  const trimmed = v.trim().replace(/\/$/, '');
  let origin: string | undefined;
  try {
    origin = new URL(trimmed).origin;
  } catch {
    origin = undefined;
  }
  if (!origin || origin !== trimmed || !/^https?:\/\//.test(origin)) {
    ctx.addIssue({ code: 'custom', message: 'validation:event.embedOrigin' });
    return z.NEVER;
  }
  return origin;
});

/** Both languages: what organisers send to everyone must reach Japanese and English readers alike. */
const bilingualTexts = (max: number) => {
  const one = () => multilineText().trim().min(1).max(max);
  return z.object({ en: one(), ja: one() }).strict();
};

const followUp = z
  .object({
    after: offset.default('PT2H'),
    attended: bilingualTexts(20000),
    absent: bilingualTexts(20000),
    materials: z.array(material).max(30).default([]),
  })
  .strict();

/** An accent colour as `#rrggbb`: a hex colour with at least 4.5:1 against white (the ratio is said when not). */
const accent = z.string().transform((v, ctx) => {
  const check = checkAccent(v);
  if (check.ok) return check.colour;
  ctx.addIssue(
    check.reason === 'format'
      ? { code: 'custom', message: 'validation:event.accentFormat' }
      : { code: 'custom', message: 'validation:event.accentContrast', params: { ratio: check.ratio } },
  );
  return z.NEVER;
});

/** The event's own organisation name and accent; its logo and cover are uploads and stay out of the JSON. */
const branding = z
  .object({
    organisation: texts(200).default({}),
    accent: accent.nullable().default(null),
  })
  .strict();

export const eventInputSchema = z
  .object({
    // `new` is the workspace's new-event page (/admin/events/new), so no event may be called that.
    slug: z
      .string()
      .regex(slugPattern, 'validation:event.slug')
      .refine((s) => s !== 'new', 'validation:event.slugReserved'),
    status: z.enum(['draft', 'published', 'cancelled']).default('draft'),
    title: requiredTexts(200),
    summary: texts(1000, true).default({}),
    description: texts(20000, true).default({}),
    programme: texts(20000, true).default({}),
    organisers: texts(1000).default({}),
    startsAt: instant,
    endsAt: instant,
    timezone: timeZone,
    displayTimezones: z.array(timeZone).min(1).max(6).default(['Asia/Tokyo', 'Europe/Zurich']),
    registrationOpensAt: instant.nullable().default(null),
    registrationClosesAt: instant.nullable().default(null),
    capacity: z.number().int().positive().nullable().default(null),
    waitlist: z.boolean().default(false),
    approval: z.boolean().default(false),
    meetingUrl: z
      .url({ protocol: /^https?$/ })
      .nullable()
      .default(null),
    meetingPasscode: text().max(100).nullable().default(null),
    contactEmail: emailText().pipe(z.email()).nullable().default(null),
    questions: z.array(question).max(30).default([]),
    reminders: reminderList.default(['P1D', 'PT1H']),
    materials: z.array(material).max(30).default([]),
    followUp: followUp.nullable().default(null),
    bilingualMail: z.boolean().default(false),
    zoom: z
      .object({
        kind: z.enum(['webinar', 'meeting']),
        id: z
          .string()
          .transform((v) => v.replace(/[\s-]/g, ''))
          .pipe(z.string().regex(/^[0-9]{9,12}$/, 'validation:event.zoomId')),
      })
      .strict()
      .nullable()
      .default(null),
    attendanceMinutes: z.number().int().min(1).max(1440).default(10),
    // Days after the end until the registrants' personal data is anonymised; 0 keeps it.
    retentionDays: z
      .number({ message: 'validation:event.retentionDays' })
      .int('validation:event.retentionDays')
      .min(0, 'validation:event.retentionDays')
      .max(36500, 'validation:event.retentionDays')
      .default(365),
    embedOrigins: z
      .array(embedOrigin)
      .max(10)
      .transform((list) => [...new Set(list)])
      .default([])
      .describe('Web origins (https://example.org) whose pages may show the embedded form in a frame'),
    branding: branding
      .default({ organisation: {}, accent: null })
      .describe("The event's own organisation name and accent colour; unset parts follow the installation"),
  })
  .strict()
  .superRefine(
    (e, ctx) => {
      // This runs even when other fields failed (see `when` below), so each check first makes sure the
      // fields it compares passed their own validation.
      const sound = (...fields: string[]) => !ctx.issues.some((i) => fields.includes(String(i.path?.[0])));
      if (sound('startsAt', 'endsAt') && Date.parse(e.endsAt) <= Date.parse(e.startsAt)) {
        ctx.addIssue({ code: 'custom', path: ['endsAt'], message: 'validation:event.endsBeforeStart' });
      }
      if (
        sound('registrationOpensAt', 'registrationClosesAt') &&
        e.registrationOpensAt &&
        e.registrationClosesAt &&
        Date.parse(e.registrationClosesAt) <= Date.parse(e.registrationOpensAt)
      ) {
        ctx.addIssue({
          code: 'custom',
          path: ['registrationClosesAt'],
          message: 'validation:event.closesBeforeOpens',
        });
      }
      if (sound('questions')) {
        const ids = e.questions.map((q) => q.id);
        ids.forEach((id, i) => {
          if (ids.indexOf(id) !== i) {
            ctx.addIssue({
              code: 'custom',
              path: ['questions', i, 'id'],
              message: 'validation:event.questionIdTaken',
            });
          }
        });
      }
    },
    // zod skips refinements once any field fails its type (a missing title, say), which would hide the
    // cross-field problems until the next attempt; run them whenever there is an object to look at.
    { when: (p) => typeof p.value === 'object' && p.value !== null && !Array.isArray(p.value) },
  );

/** The validated event JSON, with defaults filled in. */
export type EventInput = z.output<typeof eventInputSchema>;

/** One problem in an event document: where (a JSON path like `$.title.en`) and what (a locale key). */
export interface EventIssue {
  path: string;
  key: string;
  params: Record<string, unknown>;
}

/** "$.questions[0].label" from zod's path array. */
export function jsonPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : `${acc}.${String(p)}`),
    '$',
  );
}

/** Every problem zod found, as locale keys: our own messages pass through, zod's codes get generic keys. */
export function eventIssues(error: z.ZodError): EventIssue[] {
  return error.issues.map((issue) => {
    const own = issue.message.startsWith('validation:') ? issue.message : undefined;
    const params: Record<string, unknown> = {};
    if ('expected' in issue) params.expected = String(issue.expected);
    if ('minimum' in issue) params.minimum = String(issue.minimum);
    if ('maximum' in issue) params.maximum = String(issue.maximum);
    if ('keys' in issue && Array.isArray(issue.keys)) params.keys = issue.keys.join(', ');
    if ('values' in issue && Array.isArray(issue.values)) params.values = issue.values.join(', ');
    // Our own checks may say more (an accent's contrast ratio).
    if (issue.code === 'custom' && issue.params) Object.assign(params, issue.params);
    return { path: jsonPath(issue.path), key: own ?? `validation:zod.${issue.code}`, params };
  });
}
