import { DateTime } from 'luxon';
import { tFor, type Language } from '../i18n';
import { affiliations, type Breakdowns, type DayCount, type KeyCount } from '../registrations';
import { formatDate } from '../time';

/**
 * The organiser's registration charts: statistics in, SVG text and table rows out. Pure functions (no
 * database, no clock), so the page that embeds them decides when to query. Each SVG is a picture for
 * sighted readers only in part: the partial views/admin/partials/charts.ejs puts a table with the same
 * numbers next to it, and the SVG's <title>/<desc> say the gist in words.
 */

/** One day of the per-day chart: the date in full (tables), a short axis label, its count and the running total. */
export interface DayPoint {
  day: string;
  date: string;
  tick: string;
  count: number;
  cumulative: number;
}

/** Registrations per day (bars) and the running total (line), with every text already in one language. */
export interface DayChart {
  id: string;
  lang: Language;
  title: string;
  desc: string;
  legend: { daily: string; cumulative: string };
  points: DayPoint[];
  total: number;
}

/** One bar of a breakdown, labelled in the page language; `share` is its percentage, formatted. */
export interface BarRow {
  key: string;
  label: string;
  count: number;
  share: string;
}

/** Live registrations split by one attribute: the rows in chart order (largest first, "other" last). */
export interface BreakdownChart {
  id: string;
  lang: Language;
  dimension: keyof Breakdowns;
  title: string;
  desc: string;
  rows: BarRow[];
  total: number;
}

/** What views/admin/partials/charts.ejs needs: the charts, their SVGs, and whether there is anything at all. */
export interface ChartsModel {
  empty: boolean;
  timeZone: string | undefined;
  perDay: DayChart & { svg: string; collapseTable: boolean };
  breakdowns: (BreakdownChart & { svg: string })[];
}

/** Countries beyond this many are summed into one "other" bar, so the chart stays readable. */
export const TOP_COUNTRIES = 10;
/** The per-day table folds into <details> beyond two weeks of days. */
const COLLAPSE_AFTER_DAYS = 14;
const MAX_X_LABELS = 12;
const colours = { bar: '#4f8ad0', line: '#1d2433', text: '#4a5366', grid: '#dfe3ea', axis: '#4a5366' };

const xmlEntities: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text made safe for XML content and attribute values; characters XML cannot hold at all are dropped. */
export function escapeXml(text: string): string {
  return text
    .replace(/[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu, '')
    .replace(/[&<>"']/g, (c) => xmlEntities[c]!);
}

/** Round axis values from 0 to at least `max`: steps of 1, 2 or 5 times a power of ten, whole numbers only. */
export function niceTicks(max: number, target = 5): number[] {
  const top = Math.max(1, max);
  const raw = top / target;
  const pow = 10 ** Math.floor(Math.log10(raw));
  const step = Math.max(1, [1, 2, 5, 10].map((m) => m * pow).find((s) => s >= raw - 1e-9) ?? 10 * pow);
  const count = Math.ceil(top / step - 1e-9);
  return Array.from({ length: count + 1 }, (_, i) => i * step);
}

/**
 * How many days apart the x-axis labels are: every day, every other, every third, then whole weeks, so
 * no more than MAX_X_LABELS labels are drawn however long registration is open.
 */
export function dayLabelStep(days: number): number {
  const steps = [1, 2, 3, 7, 14, 28, 56, 112, 224, 448];
  return steps.find((s) => Math.ceil(days / s) <= MAX_X_LABELS) ?? Math.ceil(days / MAX_X_LABELS);
}

/** A guess at a label's width in viewBox units: CJK characters are square, Latin ones about 0.6 em. */
function textWidth(text: string, fontSize: number): number {
  let em = 0;
  for (const ch of text) em += ch.codePointAt(0)! >= 0x1100 ? 1 : 0.6;
  return em * fontSize;
}

function fitText(text: string, fontSize: number, maxWidth: number): string {
  if (textWidth(text, fontSize) <= maxWidth) return text;
  const chars = [...text];
  while (chars.length > 1 && textWidth(`${chars.join('')}…`, fontSize) > maxWidth) chars.pop();
  return `${chars.join('')}…`;
}

const num = (v: number) => String(Math.round(v * 100) / 100);
type Attrs = Record<string, string | number>;

function attrs(a: Attrs): string {
  return Object.entries(a)
    .map(([k, v]) => ` ${k}="${escapeXml(typeof v === 'number' ? num(v) : v)}"`)
    .join('');
}

const tag = (name: string, a: Attrs) => `<${name}${attrs(a)}/>`;
/** A text element in the charts' muted ink at 12 units unless `a` says otherwise; `content` is escaped. */
const text = (x: number, y: number, content: string, a: Attrs = {}) =>
  `<text${attrs({ x, y, 'font-size': 12, fill: colours.text, ...a })}>${escapeXml(content)}</text>`;
const line = (x1: number, y1: number, x2: number, y2: number, a: Attrs = {}) =>
  tag('line', { x1, y1, x2, y2, stroke: colours.axis, ...a });

function svgRoot(chart: { id: string; title: string; desc: string }, w: number, h: number, body: string[]) {
  const id = escapeXml(chart.id);
  const root = attrs({ xmlns: 'http://www.w3.org/2000/svg', class: 'chart-svg', viewBox: `0 0 ${w} ${h}` });
  return (
    `<svg${root} width="100%" role="img" aria-labelledby="${id}-title ${id}-desc">` +
    `<title id="${id}-title">${escapeXml(chart.title)}</title><desc id="${id}-desc">${escapeXml(chart.desc)}</desc>` +
    tag('rect', { width: w, height: h, fill: '#ffffff' }) +
    body.join('') +
    '</svg>'
  );
}

/** The widest a per-day bar is drawn, in viewBox units (the chart is never shown wider than 720 px). */
export const maxBarWidth = 28;

/** The per-day chart's frame in viewBox units: plot area from (x0, y0) to (x1, y1). */
const frame = { w: 720, h: 320, x0: 48, x1: 664, y0: 44, y1: 282 };

/** Gridlines and labels for the daily axis (left), tick marks and labels for the running total (right). */
function dayAxes(left: number[], right: number[], lang: Language): string[] {
  const { x0, x1, y0, y1 } = frame;
  const fmt = new Intl.NumberFormat(lang).format;
  const yOf = (v: number, ticks: number[]) => y1 - (v / ticks[ticks.length - 1]!) * (y1 - y0);
  const out = left.map(
    (v) =>
      (v > 0 ? line(x0, yOf(v, left), x1, yOf(v, left), { stroke: colours.grid, class: 'chart-grid' }) : '') +
      text(x0 - 6, yOf(v, left), fmt(v), { dy: '0.35em', 'text-anchor': 'end' }),
  );
  for (const v of right) out.push(line(x1, yOf(v, right), x1 + 4, yOf(v, right)));
  for (const v of right) out.push(text(x1 + 7, yOf(v, right), fmt(v), { dy: '0.35em' }));
  return [...out, line(x0, y1, x1, y1), line(x1, y0, x1, y1)];
}

/** The legend: bars (a square) over the left axis, the running total (a line with a dot) over the right. */
function dayLegend(legend: DayChart['legend']): string[] {
  const lx = frame.w - 8 - textWidth(legend.cumulative, 13) - 30;
  return [
    tag('rect', { x: frame.x0, y: 8, width: 12, height: 12, fill: colours.bar }),
    text(frame.x0 + 18, 18, legend.daily, { 'font-size': 13 }),
    line(lx, 14, lx + 22, 14, { stroke: colours.line, 'stroke-width': 2 }),
    tag('circle', { cx: lx + 11, cy: 14, r: 3.5, fill: colours.line }),
    text(frame.w - 8, 18, legend.cumulative, { 'font-size': 13, 'text-anchor': 'end' }),
  ];
}

/**
 * Daily registrations as bars (left axis, gridlines on round values) and the running total as a line with
 * round markers (right axis). The legend ties bars to the left axis and the line to the right one by shape
 * as well as colour; the line has a white halo so it stays visible where it crosses a bar. Labels on the
 * time axis are sparse (see dayLabelStep), so they never overlap.
 */
export function perDayChartSvg(model: DayChart): string {
  const { x0, x1, y0, y1 } = frame;
  const fmt = new Intl.NumberFormat(model.lang).format;
  const band = (x1 - x0) / Math.max(1, model.points.length);
  // A bar is never wider than a thick finger: one day must not fill 70% of the chart.
  const barW = Math.max(1, Math.min(band * 0.7, maxBarWidth));
  const left = niceTicks(Math.max(0, ...model.points.map((p) => p.count)));
  const right = niceTicks(model.total);
  const yOf = (v: number, ticks: number[]) => y1 - (v / ticks[ticks.length - 1]!) * (y1 - y0);
  const step = dayLabelStep(model.points.length);
  const parts = dayAxes(left, right, model.lang);
  model.points.forEach((p, i) => {
    const cx = x0 + band * (i + 0.5);
    const y = yOf(p.count, left);
    const bar = { x: cx - barW / 2, y, width: barW, height: y1 - y, fill: colours.bar, class: 'chart-bar' };
    if (p.count > 0)
      parts.push(`<rect${attrs(bar)}><title>${escapeXml(`${p.date}: ${fmt(p.count)}`)}</title></rect>`);
    if (i % step !== 0) return;
    parts.push(
      line(cx, y1, cx, y1 + 4),
      text(cx, y1 + 18, p.tick, { 'text-anchor': 'middle', class: 'chart-x-label' }),
    );
  });
  const xy = model.points.map((p, i) => [x0 + band * (i + 0.5), yOf(p.cumulative, right)] as const);
  const polyline = { points: xy.map(([x, y]) => `${num(x)},${num(y)}`).join(' '), fill: 'none' };
  parts.push(
    tag('polyline', { ...polyline, stroke: '#ffffff', 'stroke-width': 5, 'stroke-linejoin': 'round' }),
  );
  parts.push(tag('polyline', { ...polyline, stroke: colours.line, 'stroke-width': 2, class: 'chart-line' }));
  const r = Math.min(3.5, Math.max(1.2, band / 3));
  for (const [cx, cy] of xy) parts.push(tag('circle', { cx, cy, r, fill: colours.line, stroke: '#ffffff' }));
  return svgRoot(model, frame.w, frame.h, [...parts, ...dayLegend(model.legend)]);
}

/**
 * Horizontal bars, one per row: the label on the left (shortened with "…" if it would not fit; the table
 * has it in full), the count right after the bar. The largest row spans the whole bar area.
 */
export function barChartSvg(model: BreakdownChart): string {
  const [rowH, labelEnd, barStart, barMax] = [30, 288, 300, 360];
  const fmt = new Intl.NumberFormat(model.lang).format;
  const max = Math.max(1, ...model.rows.map((r) => r.count));
  const h = 16 + rowH * model.rows.length;
  const parts = model.rows.map((row, i) => {
    const [y, w] = [8 + rowH * i, (row.count / max) * barMax];
    const label = fitText(row.label, 13, labelEnd - 4);
    const bar = { x: barStart, y: y + 6, width: w, height: rowH - 12, fill: colours.bar, class: 'chart-bar' };
    return (
      text(labelEnd, y + rowH / 2, label, {
        dy: '0.35em',
        'font-size': 13,
        'text-anchor': 'end',
        class: 'chart-label',
      }) +
      tag('rect', bar) +
      text(barStart + w + 8, y + rowH / 2, fmt(row.count), {
        dy: '0.35em',
        'font-size': 13,
        class: 'chart-value',
      })
    );
  });
  return svgRoot(model, 720, h, [...parts, line(barStart, 8, barStart, h - 8)]);
}

/** The first item with the highest count (the earliest day, or the first row in sort order). */
function largest<T extends { count: number }>(items: T[]): T | undefined {
  return items.reduce<T | undefined>((best, it) => (best && best.count >= it.count ? best : it), undefined);
}

function dayChart(perDay: DayCount[], lang: Language, id: string): DayChart {
  const t = tFor(lang);
  let running = 0;
  const points = perDay.map(({ day, count }) => {
    const dt = DateTime.fromISO(day, { zone: 'UTC' }).setLocale(lang === 'ja' ? 'ja-JP' : 'en-GB');
    running += count;
    const tick = lang === 'ja' ? dt.toFormat('M/d') : dt.toFormat('d LLL');
    return { day, date: formatDate(dt, lang), tick, count, cumulative: running };
  });
  const peak = largest(points);
  const fmt = new Intl.NumberFormat(lang).format;
  const desc = peak
    ? t('charts:perDay.desc', {
        count: running,
        total: fmt(running),
        first: points[0]!.date,
        last: points[points.length - 1]!.date,
        peakDay: peak.date,
        peak: fmt(peak.count),
      })
    : t('charts:empty');
  const legend = { daily: t('charts:perDay.daily'), cumulative: t('charts:perDay.cumulative') };
  return { id, lang, title: t('charts:perDay.title'), desc, legend, points, total: running };
}

function labelFor(dimension: keyof Breakdowns, key: string, lang: Language): string {
  const t = tFor(lang);
  if (dimension === 'affiliation') {
    return (affiliations as readonly string[]).includes(key)
      ? t(`registrations:form.affiliations.${key}`)
      : key;
  }
  if (dimension === 'country') {
    try {
      return new Intl.DisplayNames([lang], { type: 'region' }).of(key) ?? key;
    } catch {
      return key;
    }
  }
  return key === 'en' || key === 'ja' ? t(`registrations:form.languages.${key}`) : key;
}

function breakdownChart(
  dimension: keyof Breakdowns,
  counts: KeyCount[],
  lang: Language,
  id: string,
): BreakdownChart {
  const t = tFor(lang);
  const total = counts.reduce((sum, c) => sum + c.count, 0);
  const rows = counts.map((c) => ({ key: c.key, label: labelFor(dimension, c.key, lang), count: c.count }));
  if (dimension === 'country' && rows.length > TOP_COUNTRIES) {
    const rest = rows.splice(TOP_COUNTRIES);
    const label = t('charts:breakdown.otherCountries', { count: rest.length });
    rows.push({ key: '*other', label, count: rest.reduce((sum, r) => sum + r.count, 0) });
  }
  const fmt = new Intl.NumberFormat(lang).format;
  const pct = new Intl.NumberFormat(lang, { style: 'percent', maximumFractionDigits: 0 }).format;
  const top = largest(rows);
  const title = t(`charts:breakdown.${dimension}`);
  const desc = top
    ? t('charts:breakdown.desc', { count: total, total: fmt(total), label: top.label, top: fmt(top.count) })
    : t('charts:breakdownEmpty');
  const shared = rows.map((r) => ({ ...r, share: pct(total ? r.count / total : 0) }));
  return { id, lang, dimension, title, desc, rows: shared, total };
}

/**
 * Everything views/admin/partials/charts.ejs shows, in `lang`: affiliations from the registration form's
 * words, countries by Intl.DisplayNames, languages as the form names them. `timeZone` (the event's) is
 * only said in the note under the per-day chart; `idPrefix` keeps SVG ids unique if a page shows two sets.
 */
export function buildCharts(
  perDay: DayCount[],
  breakdowns: Breakdowns,
  lang: Language,
  opts: { timeZone?: string; idPrefix?: string } = {},
): ChartsModel {
  const prefix = opts.idPrefix ?? 'charts';
  const day = dayChart(perDay, lang, `${prefix}-per-day`);
  const empty = day.total === 0;
  const dimensions = ['affiliation', 'country', 'language', 'interpretation'] as const;
  return {
    empty,
    timeZone: opts.timeZone,
    perDay: {
      ...day,
      svg: empty ? '' : perDayChartSvg(day),
      collapseTable: day.points.length > COLLAPSE_AFTER_DAYS,
    },
    breakdowns: dimensions.map((d) => {
      const chart = breakdownChart(d, breakdowns[d], lang, `${prefix}-${d}`);
      return { ...chart, svg: chart.rows.length ? barChartSvg(chart) : '' };
    }),
  };
}
