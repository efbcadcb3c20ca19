/**
 * Colour contrast as WCAG 2.1 defines it (relative luminance, ratio (L1 + 0.05) / (L2 + 0.05)), for an
 * organiser's accent colour: it fills buttons under white text and colours links on white, so it must
 * reach AA for normal text (4.5:1) against white; the page's focus ring stays ink (#1d2433), which is
 * 15:1 on white whatever the accent. Pure.
 */

/** The AA minimum for normal text, which the accent must reach against white. */
const minimumTextContrast = 4.5;

/** `#0b5cad` or `#08c` as [r, g, b] 0–255, or undefined when it is not a hex colour. */
export function parseHexColour(text: string): [number, number, number] | undefined {
  const m = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(text.trim());
  if (!m) return undefined;
  const hex = m[1]!.length === 3 ? [...m[1]!].map((c) => c + c).join('') : m[1]!;
  return [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16)) as [number, number, number];
}

/** WCAG relative luminance of an sRGB colour. */
export function relativeLuminance([r, g, b]: readonly [number, number, number]): number {
  const channel = (v: number) => {
    const c = v / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
}

/** The contrast ratio of two colours, 1 to 21. */
export function contrastRatio(
  a: readonly [number, number, number],
  b: readonly [number, number, number],
): number {
  const [hi, lo] = [relativeLuminance(a), relativeLuminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/** Whether an accent colour may be used, and its ratio against white cut (never rounded up) to two decimals. */
export type AccentCheck =
  | { ok: true; colour: string; ratio: number }
  | { ok: false; reason: 'format' }
  | { ok: false; reason: 'contrast'; ratio: number };

/** Checks an accent colour: a hex colour with at least 4.5:1 against white; the colour comes back as `#rrggbb`. */
export function checkAccent(text: string): AccentCheck {
  const rgb = parseHexColour(text);
  if (!rgb) return { ok: false, reason: 'format' };
  // Cut, not rounded: 4.496 must not read as 4.50 in a message saying 4.5 is needed.
  const ratio = Math.floor(contrastRatio(rgb, [255, 255, 255]) * 100) / 100;
  if (ratio < minimumTextContrast) return { ok: false, reason: 'contrast', ratio };
  const colour = `#${rgb.map((v) => v.toString(16).padStart(2, '0')).join('')}`;
  return { ok: true, colour, ratio };
}

/**
 * A darker shade of a `#rrggbb` colour (each channel times 0.7), for hover states: darker than an
 * accent that passed AA on white only raises its contrast, so the shade passes too.
 */
export function darkerShade(colour: string): string {
  const rgb = parseHexColour(colour) ?? [0, 0, 0];
  return `#${rgb
    .map((v) =>
      Math.round(v * 0.7)
        .toString(16)
        .padStart(2, '0'),
    )
    .join('')}`;
}
