import fs from 'node:fs';
import path from 'node:path';
import ejs from 'ejs';
import {
  barChartSvg,
  buildCharts,
  dayLabelStep,
  niceTicks,
  perDayChartSvg,
  type ChartsModel,
} from '../../src/admin/charts';
import { tFor, type Language } from '../../src/i18n';
import type { Breakdowns, DayCount } from '../../src/registrations';

/**
 * The organiser's charts as pure functions: SVG that is well-formed and escaped, bars in proportion,
 * sparse axis labels, and a partial whose tables carry the same numbers as the pictures.
 */

const partial = path.resolve(__dirname, '../../views/admin/partials/charts.ejs');
const noBreakdowns: Breakdowns = { affiliation: [], country: [], language: [], interpretation: [] };
const breakdowns: Breakdowns = {
  affiliation: [
    { key: 'cooperative', count: 6 },
    { key: 'academia', count: 3 },
  ],
  country: [
    { key: 'JP', count: 7 },
    { key: 'CH', count: 2 },
  ],
  language: [
    { key: 'ja', count: 5 },
    { key: 'en', count: 4 },
  ],
  interpretation: [
    { key: 'en', count: 5 },
    { key: 'ja', count: 4 },
  ],
};

/** `n` consecutive days from 1 Dec 2026 with the given counts (repeated if shorter). */
function days(n: number, counts: number[] = [1]): DayCount[] {
  return Array.from({ length: n }, (_, i) => ({
    day: new Date(Date.UTC(2026, 11, 1 + i)).toISOString().slice(0, 10),
    count: counts[i % counts.length]!,
  }));
}

function render(charts: ChartsModel, lang: Language = 'en'): string {
  return ejs.render(fs.readFileSync(partial, 'utf8'), { t: tFor(lang), lang, charts }, { filename: partial });
}

/**
 * A minimal XML well-formedness check (no DOM parser in node): one root, every tag closed in order,
 * attributes quoted and not repeated, `&` only in entities, no stray `<`. Returns the problem or ''.
 */
function xmlProblem(xml: string): string {
  const token = /<(\/?)([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+="[^"<]*")*)\s*(\/?)>|([^<]+)|([\s\S])/g;
  const badAmp = /&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/;
  const stack: string[] = [];
  let roots = 0;
  for (const m of xml.matchAll(token)) {
    const [, close, name, attrText, selfClose, textRun, stray] = m;
    if (stray !== undefined) return `stray ${JSON.stringify(stray)} at ${m.index}`;
    if (textRun !== undefined) {
      if (!stack.length) return `text outside the root at ${m.index}`;
      if (badAmp.test(textRun)) return `bare & in text at ${m.index}`;
      continue;
    }
    const names = [...attrText!.matchAll(/([\w:.-]+)="([^"]*)"/g)];
    if (new Set(names.map((a) => a[1])).size !== names.length) return `repeated attribute in <${name}>`;
    if (names.some((a) => badAmp.test(a[2]!))) return `bare & in an attribute of <${name}>`;
    if (close) {
      if (stack.pop() !== name) return `</${name}> closes the wrong element at ${m.index}`;
      continue;
    }
    if (!stack.length && ++roots > 1) return 'more than one root element';
    if (!selfClose) stack.push(name!);
  }
  return stack.length ? `unclosed <${stack.join('> <')}>` : roots === 1 ? '' : 'no root element';
}

const attr = (el: string, name: string) => Number(new RegExp(`\\s${name}="([-\\d.]+)"`).exec(el)?.[1]);
const elements = (svg: string, cls: string) =>
  svg.match(new RegExp(`<[a-z]+[^>]*class="${cls}"[^>]*>`, 'g')) ?? [];

describe('per-day chart', () => {
  it('when drawn, then the SVG is well-formed XML, scales by its viewBox, and is labelled by its own title and desc', () => {
    const { perDay } = buildCharts(days(5, [1, 4, 0, 2, 3]), breakdowns, 'en');
    expect(xmlProblem(perDay.svg)).toBe('');
    expect(perDay.svg).toMatch(/^<svg [^>]*viewBox="0 0 720 320"[^>]*width="100%"/);
    expect(perDay.svg).toMatch(/role="img" aria-labelledby="charts-per-day-title charts-per-day-desc"/);
    expect(perDay.svg).toContain('<title id="charts-per-day-title">Registrations per day</title>');
    expect(perDay.svg).toContain(
      '<desc id="charts-per-day-desc">10 registrations from Tue 1 Dec 2026 to Sat 5 Dec 2026. ' +
        'The busiest day was Wed 2 Dec 2026 with 4.</desc>',
    );
    expect(perDay.svg).not.toMatch(/style=|<style|font-family/);
  });

  it('when the busiest day has 10, then its bar spans the whole plot height and the others are in proportion', () => {
    const { perDay } = buildCharts(days(4, [10, 5, 0, 2]), noBreakdowns, 'en');
    const bars = elements(perDay.svg, 'chart-bar');
    expect(bars).toHaveLength(3); // the empty day draws no bar
    const heights = bars.map((b) => attr(b, 'height'));
    expect(heights[0]).toBeCloseTo(282 - 44, 5);
    expect(heights[1]! / heights[0]!).toBeCloseTo(0.5, 5);
    expect(heights[2]! / heights[0]!).toBeCloseTo(0.2, 5);
    // Every bar stands on the axis.
    for (const b of bars) expect(attr(b, 'y') + attr(b, 'height')).toBeCloseTo(282, 5);
  });

  it('when there is one day only, then its bar stays narrow (28 units of 616), centred over its day', () => {
    const { perDay } = buildCharts(days(1, [3]), noBreakdowns, 'en');
    const [bar] = elements(perDay.svg, 'chart-bar');
    expect(attr(bar!, 'width')).toBe(28);
    expect(attr(bar!, 'x') + 14).toBeCloseTo((48 + 664) / 2, 5);
    // Many days: the bars share the width as before (70% of each day's band).
    const many = elements(
      buildCharts(days(30, Array(30).fill(1)), noBreakdowns, 'en').perDay.svg,
      'chart-bar',
    );
    expect(attr(many[0]!, 'width')).toBeCloseTo((616 / 30) * 0.7, 1);
  });

  it('when the daily maximum is 7, then the gridlines are at round values up to 8', () => {
    expect(niceTicks(7)).toEqual([0, 2, 4, 6, 8]);
    expect(niceTicks(245)).toEqual([0, 50, 100, 150, 200, 250]);
    expect(niceTicks(1)).toEqual([0, 1]);
    const { perDay } = buildCharts(days(3, [7, 1, 1]), noBreakdowns, 'en');
    expect(elements(perDay.svg, 'chart-grid')).toHaveLength(4);
  });

  it('when the running total is drawn, then the line ends at the total and is told apart by a legend with shapes', () => {
    const { perDay } = buildCharts(days(3, [2, 3, 5]), noBreakdowns, 'en');
    const points = /class="chart-line"/.test(perDay.svg)
      ? /<polyline points="([^"]+)"[^>]*class="chart-line"/.exec(perDay.svg)![1]!.split(' ')
      : [];
    expect(points).toHaveLength(3);
    // Total 10 on a right axis of 0..10: the last point is at the top of the plot, the first at 2/10.
    expect(Number(points[2]!.split(',')[1])).toBeCloseTo(44, 5);
    expect(Number(points[0]!.split(',')[1])).toBeCloseTo(282 - 0.2 * 238, 5);
    expect(perDay.svg).toContain('>Registrations that day</text>');
    expect(perDay.svg).toContain('>Total so far</text>');
    expect(perDay.svg.match(/<circle /g)!.length).toBe(4); // 3 markers + the legend's dot
  });

  it.each([60, 90, 400])(
    'when registration is open for %i days, then at most 12 x labels are drawn, far enough apart not to overlap',
    (n) => {
      const { perDay } = buildCharts(days(n, [1, 2, 3]), noBreakdowns, 'en');
      const labels = elements(perDay.svg, 'chart-x-label');
      expect(labels.length).toBeLessThanOrEqual(12);
      expect(labels.length).toBeGreaterThanOrEqual(4);
      const xs = labels.map((l) => attr(l, 'x'));
      const gap = Math.min(...xs.slice(1).map((x, i) => x - xs[i]!));
      expect(gap).toBeGreaterThanOrEqual(48); // "30 Dec" at 12 units is about 40 wide
      expect(dayLabelStep(n)).toBeGreaterThan(1);
    },
  );

  it('when there are 10 days, then every day is labelled', () => {
    const { perDay } = buildCharts(days(10), noBreakdowns, 'en');
    expect(elements(perDay.svg, 'chart-x-label')).toHaveLength(10);
  });
});

describe('breakdown bar charts', () => {
  it('when a stored label contains <script>&", then the SVG and the table show it escaped', () => {
    const hostile = '<script>&"x\'';
    const charts = buildCharts(
      days(1, [2]),
      { ...noBreakdowns, affiliation: [{ key: hostile, count: 2 }] },
      'en',
    );
    const svg = charts.breakdowns[0]!.svg;
    expect(xmlProblem(svg)).toBe('');
    expect(svg).not.toContain('<script');
    expect(svg).toContain('&lt;script&gt;&amp;&quot;x&#39;');
    const html = render(charts);
    expect(html).not.toContain('<script');
    expect(html).toMatch(/<th scope="row">&lt;script&gt;&amp;&#34;x&#39;<\/th>/);
  });

  it('when drawn, then bars are horizontal with the largest spanning the full width and the others in proportion', () => {
    const { breakdowns: charts } = buildCharts(days(1, [9]), breakdowns, 'en');
    const affiliation = charts.find((c) => c.dimension === 'affiliation')!;
    expect(xmlProblem(affiliation.svg)).toBe('');
    const widths = elements(affiliation.svg, 'chart-bar').map((b) => attr(b, 'width'));
    expect(widths[0]).toBeCloseTo(360, 5);
    expect(widths[1]).toBeCloseTo(180, 5);
    expect(affiliation.svg).toMatch(/class="chart-label"[^>]*>Cooperative<\/text>/);
    expect(affiliation.svg).toMatch(/class="chart-value"[^>]*>6<\/text>/);
  });

  it('when there are more than 10 countries, then the top 10 are shown and the rest summed into one "other" bar', () => {
    const codes = ['JP', 'CH', 'FR', 'DE', 'US', 'GB', 'IT', 'ES', 'KR', 'CN', 'BR', 'IN', 'KE'];
    const country = codes.map((key, i) => ({ key, count: 20 - i }));
    const chart = buildCharts(days(1, [200]), { ...noBreakdowns, country }, 'en').breakdowns[1]!;
    expect(chart.rows).toHaveLength(11);
    expect(chart.rows[0]).toMatchObject({ key: 'JP', label: 'Japan', count: 20 });
    expect(chart.rows[10]).toEqual({
      key: '*other',
      label: 'Other (3 countries or regions)',
      count: 10 + 9 + 8,
      share: '15%', // 27 of 182
    });
    expect(elements(chart.svg, 'chart-bar')).toHaveLength(11);
  });

  it('when the page is in Japanese, then affiliations, countries, languages, titles and dates are in Japanese', () => {
    const charts = buildCharts(days(2, [3, 6]), breakdowns, 'ja', { timeZone: 'Asia/Tokyo' });
    const [affiliation, country, language] = charts.breakdowns;
    expect(affiliation!.rows.map((r) => r.label)).toEqual(['協同組合', '研究者・大学関係者']);
    expect(country!.rows.map((r) => r.label)).toEqual(['日本', 'スイス']);
    expect(language!.rows.map((r) => r.label)).toEqual(['日本語', '英語']);
    expect(charts.perDay.points[0]).toMatchObject({ date: '2026年12月1日(火)', tick: '12/1' });
    expect(charts.perDay.svg).toContain('<title id="charts-per-day-title">日別の申込数</title>');
    expect(affiliation!.svg).toMatch(/>協同組合<\/text>/);
    const html = render(charts, 'ja');
    expect(html).toContain('<h2 id="charts-per-day-section">申込状況</h2>');
    expect(html).toContain('イベントのタイムゾーン（Asia/Tokyo）');
  });
});

describe('the charts partial', () => {
  /** The per-day table's rows as [datetime, daily, cumulative]. */
  function perDayRows(html: string): [string, number, number][] {
    const row =
      /<th scope="row"><time datetime="([\d-]+)">[^<]+<\/time><\/th>\s*<td class="num">([\d,]+)<\/td>\s*<td class="num">([\d,]+)<\/td>/g;
    return [...html.matchAll(row)].map((m) => [
      m[1]!,
      Number(m[2]!.replace(/,/g, '')),
      Number(m[3]!.replace(/,/g, '')),
    ]);
  }

  it('when rendered, then the per-day table lists every day with the same daily and running counts as the data', () => {
    const data = days(6, [4, 0, 7, 1, 0, 2]);
    const html = render(buildCharts(data, breakdowns, 'en'));
    let running = 0;
    expect(perDayRows(html)).toEqual(data.map((d) => [d.day, d.count, (running += d.count)]));
    expect(html).toContain('<caption>Registrations per day</caption>');
    expect(html).toContain('<th scope="col" class="num">Total so far</th>');
    expect(html).not.toContain('<details');
  });

  it('when rendered, then each breakdown table carries the same counts and shares as the chart', () => {
    const html = render(buildCharts(days(1, [9]), breakdowns, 'en'));
    const table = /<caption>Country or region<\/caption>[\s\S]*?<\/table>/.exec(html)![0];
    const rows = [
      ...table.matchAll(
        /<th scope="row">([^<]+)<\/th>\s*<td class="num">(\d+)<\/td>\s*<td class="num">([^<]+)<\/td>/g,
      ),
    ];
    expect(rows.map((m) => [m[1], Number(m[2]), m[3]])).toEqual([
      ['Japan', 7, '78%'],
      ['Switzerland', 2, '22%'],
    ]);
    expect(html.match(/<svg /g)).toHaveLength(5);
    expect(html).not.toMatch(/style=|<style/);
  });

  it('when there are more than 14 days, then the per-day table is folded into a <details>', () => {
    const html = render(buildCharts(days(15), breakdowns, 'en'));
    expect(html).toMatch(
      /<details class="chart-details"><summary>Show the numbers as a table<\/summary>\s*<div class="chart-table">\s*<table class="chart-data">\s*<caption>Registrations per day/,
    );
    expect(perDayRows(html)).toHaveLength(15);
  });

  it('when no one has registered, then a friendly sentence is shown instead of any chart', () => {
    const charts = buildCharts([], noBreakdowns, 'en');
    expect(charts.empty).toBe(true);
    const html = render(charts);
    expect(html).toContain('No one has registered yet.');
    expect(html).not.toContain('<svg');
    expect(html).not.toContain('<table');
    expect(render(charts, 'ja')).toContain('まだ申し込みはありません。');
  });

  it('when everyone who registered has cancelled, then the per-day chart is drawn and each breakdown says so', () => {
    const html = render(buildCharts(days(2, [1]), noBreakdowns, 'en'));
    expect(html.match(/<svg /g)).toHaveLength(1);
    expect(html.match(/everyone who registered has cancelled/g)).toHaveLength(4);
  });
});

describe('chart texts', () => {
  /** Keys of a locale file, with i18next plural suffixes folded (Japanese has only _other). */
  function keys(lang: Language): string[] {
    const walk = (o: object, prefix: string): string[] =>
      Object.entries(o).flatMap(([k, v]) =>
        typeof v === 'object' ? walk(v, `${prefix}${k}.`) : [`${prefix}${k}`],
      );
    const file = path.resolve(__dirname, `../../locales/${lang}/charts.json`);
    return [
      ...new Set(
        walk(JSON.parse(fs.readFileSync(file, 'utf8')), '').map((k) => k.replace(/_(one|other)$/, '')),
      ),
    ].sort();
  }

  it('when the English and Japanese chart texts are compared, then both have every key', () => {
    expect(keys('ja')).toEqual(keys('en'));
    expect(keys('en')).toContain('perDay.desc');
  });

  it('when the per-day SVG is built directly from a model, then it matches what buildCharts produced', () => {
    const { perDay, breakdowns: b } = buildCharts(days(3), breakdowns, 'en');
    expect(perDayChartSvg(perDay)).toBe(perDay.svg);
    expect(barChartSvg(b[2]!)).toBe(b[2]!.svg);
  });
});
