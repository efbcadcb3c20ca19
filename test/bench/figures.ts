/**
 * One row of the bench's table: a figure of Tsunagaru beside its baseline measured in the same run,
 * their ratio, the target the issue sets and whether it was met. Figures without a target (growth)
 * carry `met: null`.
 */
export interface Figure {
  id: string;
  what: string;
  tsunagaru: string;
  baseline: string;
  ratio: number | null;
  target: string;
  met: boolean | null;
  /** Raw numbers for the JSON file. */
  data?: Record<string, unknown>;
}

/** What every bench module gets: the database server to make its own databases on. */
export interface BenchContext {
  /** Whether a figure id (P1, P2, P3, P4, P6, growth) was asked for. */
  wants(id: string): boolean;
}

export const fmt = {
  rate: (n: number, unit: string) => `${Math.round(n).toLocaleString('en-US')} ${unit}`,
  ms: (n: number) => `${n < 10 ? n.toFixed(1) : Math.round(n)} ms`,
  ratio: (n: number | null) => (n === null ? '–' : n.toFixed(2)),
};

/** A plain text table, first column left-aligned, the others right-aligned. */
export function table(head: string[], rows: string[][]): string {
  const cells = [head, ...rows];
  const widths = head.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) =>
    r.map((c, i) => (i ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** The figures as the table the bench prints. */
export function figureTable(figures: Figure[]): string {
  return table(
    ['figure', 'Tsunagaru', 'baseline', 'ratio', 'target', 'met'],
    figures.map((f) => [
      `${f.id} ${f.what}`,
      f.tsunagaru,
      f.baseline,
      fmt.ratio(f.ratio),
      f.target,
      f.met === null ? '–' : f.met ? 'yes' : 'NO',
    ]),
  );
}
