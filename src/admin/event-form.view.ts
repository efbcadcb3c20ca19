import { DateTime } from 'luxon';
import type { Language } from '../i18n';
import { formatInstant, isValidTimeZone, zoneAbbreviation } from '../time';
import {
  commonZones,
  textFields,
  timeFields,
  type EventFormValues,
  type FormError,
  type MaterialRow,
  type QuestionRow,
  type TimeField,
} from './event-form.values';
import { fromLocalInput } from './event-form';

/**
 * The event editor's view model: what edit.ejs prints, worked out here so the template only loops.
 * Problems become sentences in the page language, each next to its field and once more in the
 * summary at the top ("Title (English): …"), in the order the fields appear.
 */

/** i18next's t() fixed to the page language, as res.locals.t. */
export type Translate = (key: string, params?: Record<string, unknown>) => string;

/** Everything edit.ejs needs to print the form. */
export interface EditorView {
  values: EventFormValues;
  /** Field id -> the message shown next to it. */
  errors: Record<string, string>;
  /** The error summary: a link to each field with a problem, in form order. */
  summary: { field: string; text: string }[];
  materialRows: MaterialRow[];
  questionRows: QuestionRow[];
  zoneGroups: { region: string; zones: string[] }[];
  commonZones: { value: string; label: string; checked: boolean }[];
  /** Each time field's instant in every display zone, for readers without JavaScript. */
  echo: Record<TimeField, string[]>;
  /** When personal data will be anonymised (or that it is kept, or was), under the retention field. */
  retention: string;
}

let zoneGroupCache: { region: string; zones: string[] }[] | undefined;

/** Every IANA zone this runtime knows, grouped by region, plus UTC (Intl lists no bare "UTC"). */
export function zoneGroups(): { region: string; zones: string[] }[] {
  if (!zoneGroupCache) {
    const groups = new Map<string, string[]>();
    for (const z of [...Intl.supportedValuesOf('timeZone'), 'UTC']) {
      const region = z.includes('/') ? z.split('/')[0]! : 'UTC';
      groups.set(region, [...(groups.get(region) ?? []), z]);
    }
    zoneGroupCache = [...groups].map(([region, zones]) => ({ region, zones }));
  }
  return zoneGroupCache;
}

/** One instant in each zone: ["JST: Wed 16 Dec 15:00", "CET: Wed 16 Dec 07:00"] ("JST: 12月16日(水) 15:00"). */
export function echoParts(instant: Date, zones: readonly string[], lang: Language): string[] {
  return zones.map((zone) => {
    const dt = DateTime.fromJSDate(instant, { zone }).setLocale(lang === 'ja' ? 'ja-JP' : 'en-GB');
    const date = lang === 'ja' ? dt.toFormat("M'月'd'日('ccc')'") : dt.toFormat('ccc d LLL');
    return `${zoneAbbreviation(instant, zone)}: ${date} ${dt.toFormat('HH:mm')}`;
  });
}

/** The echo as one line: "JST: Wed 16 Dec 15:00 · CET: Wed 16 Dec 07:00". */
export function echoLine(instant: Date, zones: readonly string[], lang: Language): string {
  return echoParts(instant, zones, lang).join(' · ');
}

/** The display zones the form asks for (checked, then typed), or the event zone when none is usable. */
export function chosenZones(values: EventFormValues): string[] {
  const typed = values.displayZonesOther.split(/[\s,、]+/).filter(Boolean);
  const zones = [...new Set([...values.displayZones, ...typed])].filter(isValidTimeZone);
  if (zones.length) return zones.slice(0, 6);
  return isValidTimeZone(values.timezone) ? [values.timezone] : ['UTC'];
}

const sections = ['slug', ...textFields.flatMap((f) => [`${f}_en`, `${f}_ja`])];
const later = [
  'timezone',
  ...timeFields,
  'displayZones',
  'displayZonesOther',
  'capacity',
  'waitlist',
  'approval',
  'retentionDays',
  'meetingUrl',
  'attendanceMinutes',
  'meetingPasscode',
  'contactEmail',
  'bilingualMail',
  'reminders',
  'embedOrigins',
];
const rowParts = ['id', 'type', 'label_en', 'label_ja', 'title_en', 'title_ja', 'url', 'required', 'options'];

/** Position of a field in the form, for the summary's order. */
function rank(field: string): number {
  const top = [...sections, ...later].indexOf(field);
  if (top >= 0) return top;
  const option = /^q(\d+)_o(\d+)_(value|en|ja)$/.exec(field);
  if (option) {
    const at = 100_000 + Number(option[1]) * 1_000 + rowParts.indexOf('options');
    return at + 0.001 * (Number(option[2]) * 3 + ['value', 'en', 'ja'].indexOf(option[3]!) + 1);
  }
  const row = /^([mq])(\d+)_(.+)$/.exec(field);
  if (row) {
    const base = row[1] === 'm' ? 1_000 : 100_000;
    return base + Number(row[2]) * 20 + rowParts.indexOf(row[3]!);
  }
  return 1_000_000;
}

/** The label of a field as the summary names it: "Title (English)", "Question 2: Options". */
export function fieldLabel(field: string, t: Translate): string {
  const withLang = (label: string, lang: string) =>
    t('editor:labelWithLang', { label, lang: t(`editor:langs.${lang}`) });
  const text = /^(\w+)_(en|ja)$/.exec(field);
  if (text && (textFields as readonly string[]).includes(text[1]!)) {
    return withLang(t(`editor:fields.${text[1]}`), text[2]!);
  }
  const option = /^q(\d+)_o(\d+)_(value|en|ja)$/.exec(field);
  if (option) {
    const [, n, o, part] = option;
    return t('editor:rowLabel', {
      row: t('editor:questions.row', { n: Number(n) + 1 }),
      label: optionPartLabel(Number(o), part!, t),
    });
  }
  const row = /^([mq])(\d+)_(\w+?)(?:_(en|ja))?$/.exec(field);
  if (row) {
    const [, kind, n, part, lang] = row;
    const group = kind === 'm' ? 'materials' : 'questions';
    const partLabel = t(`editor:${group}.${part}`);
    return t('editor:rowLabel', {
      row: t(`editor:${group}.row`, { n: Number(n) + 1 }),
      label: lang ? withLang(partLabel, lang) : partLabel,
    });
  }
  return t(`editor:fields.${field}`);
}

/** "Option 2: English" (「選択肢 2：英語」): an option row's box, as its label and the summary name it. */
export function optionPartLabel(index: number, part: string, t: Translate): string {
  const name = part === 'value' ? t('editor:questions.optionValue') : t(`editor:langs.${part}`);
  return t('editor:questions.optionPart', { n: index + 1, part: name });
}

/** The sentence for one problem. */
function message(e: FormError, t: Translate): string {
  return t(e.key, e.params);
}

function echoes(values: EventFormValues, lang: Language): Record<TimeField, string[]> {
  const zone = isValidTimeZone(values.timezone) ? values.timezone : 'UTC';
  const zones = chosenZones(values);
  return Object.fromEntries(
    timeFields.map((f) => {
      const r = values.times[f] ? fromLocalInput(values.times[f], zone) : undefined;
      return [f, r?.ok ? echoParts(new Date(r.iso), zones, lang) : []];
    }),
  ) as Record<TimeField, string[]>;
}

/**
 * The retention field's echo: the moment the worker anonymises the registrants' data (the end plus the
 * days, in every display zone, in the page language), that it is kept (0), or when it was done.
 */
export function retentionLine(
  values: EventFormValues,
  lang: Language,
  t: Translate,
  anonymisedAt: Date | null = null,
): string {
  const zones = chosenZones(values);
  if (anonymisedAt) return t('editor:retention.done', { date: formatInstant(anonymisedAt, zones, lang) });
  if (!/^\d{1,9}$/.test(values.retentionDays)) return '';
  const days = Number(values.retentionDays);
  if (days === 0) return t('editor:retention.kept');
  const end = values.times.endsAt
    ? fromLocalInput(values.times.endsAt, isValidTimeZone(values.timezone) ? values.timezone : 'UTC')
    : undefined;
  if (!end?.ok) return t('editor:retention.afterEnd', { count: days });
  const at = new Date(Date.parse(end.iso) + days * 86_400_000);
  return t('editor:retention.on', { date: formatInstant(at, zones, lang) });
}

const blankMaterial = (): MaterialRow => ({ titleEn: '', titleJa: '', url: '' });
const blankQuestion = (): QuestionRow => ({
  id: '',
  type: 'text',
  labelEn: '',
  labelJa: '',
  required: false,
  options: [],
  remove: false,
});

/** A question's option rows with blank ones to fill in without scripts: two more, and at least three. */
function withBlankOptions(q: QuestionRow): QuestionRow {
  const blanks = Math.max(2, 3 - q.options.length);
  return {
    ...q,
    options: [...q.options, ...Array.from({ length: blanks }, () => ({ value: '', en: '', ja: '' }))],
  };
}

/**
 * The view of the form: its values, the problems in the page language, the rows with blank ones to
 * fill in (two materials, `blankQuestions` questions), the zone lists, and the time echoes.
 */
export function editorView(o: {
  values: EventFormValues;
  errors: FormError[];
  lang: Language;
  t: Translate;
  blankQuestions?: number;
  at: Date;
  anonymisedAt?: Date | null;
}): EditorView {
  const { values, t } = o;
  const errors: Record<string, string> = {};
  const ordered = [...o.errors].sort((a, b) => rank(a.field) - rank(b.field));
  for (const e of ordered) errors[e.field] ??= message(e, t);
  const summary = Object.keys(errors).map((field) => ({
    field,
    text: t('editor:summaryItem', { label: fieldLabel(field, t), message: errors[field] }),
  }));
  const common = commonZones as readonly string[];
  // Checked zones first, in the event's order, since the first display zone is the one shown first.
  const zones = [...values.displayZones.filter((z) => common.includes(z)), ...common];
  const groups = zoneGroups();
  // Zone labels say the abbreviation in force when the event starts (EST for December), else now.
  const start = fromLocalInput(
    values.times.startsAt,
    isValidTimeZone(values.timezone) ? values.timezone : 'UTC',
  );
  const labelAt = start.ok ? new Date(start.iso) : o.at;
  const known = groups.some((g) => g.zones.includes(values.timezone));
  return {
    values,
    errors,
    summary,
    materialRows: [...values.materials, blankMaterial(), blankMaterial()],
    questionRows: [...values.questions, ...Array.from({ length: o.blankQuestions ?? 1 }, blankQuestion)].map(
      withBlankOptions,
    ),
    zoneGroups:
      known || !values.timezone ? groups : [{ region: values.timezone, zones: [values.timezone] }, ...groups],
    commonZones: [...new Set(zones)].map((value) => ({
      value,
      label: value === 'UTC' ? value : `${value} (${zoneAbbreviation(labelAt, value)})`,
      checked: values.displayZones.includes(value),
    })),
    echo: echoes(values, o.lang),
    retention: retentionLine(values, o.lang, t, o.anonymisedAt),
  };
}

/**
 * The public event page (as rendered by views/events/show.ejs) turned into a preview: the banner right
 * at the start of <main>, the editor's stylesheet for it, and the registration form inside a disabled
 * fieldset with no address to post to, so nothing on the page can register anyone.
 */
export function markPreview(page: string, banner: string): string {
  let html = page.replace('</head>', '<link rel="stylesheet" href="/assets/css/admin-event.css">\n</head>');
  const main = /<main\b[^>]*>/.exec(html) ?? /<body\b[^>]*>/.exec(html);
  if (main) {
    const at = main.index + main[0].length;
    html = `${html.slice(0, at)}\n${banner}${html.slice(at)}`;
  }
  const form = /<form method="post" action="\/events\/[^"]*\/register"([^>]*)>/.exec(html);
  if (form) {
    const start = form.index;
    const end = html.indexOf('</form>', start);
    const inner = html.slice(start + form[0].length, end < 0 ? undefined : end);
    const rest = end < 0 ? '' : html.slice(end);
    html = `${html.slice(0, start)}<form${form[1]} data-preview><fieldset class="preview-off" disabled>${inner}</fieldset>${rest}`;
  }
  return html;
}
