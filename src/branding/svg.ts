/**
 * An uploaded SVG logo is refused, not rewritten, when it holds anything active or anything that
 * reaches outside the file: scripts (also `javascript:` and animations that set an href), event
 * handler attributes, `<foreignObject>` (HTML inside the image), references to other files (href,
 * `url(…)`, `@import`) other than fragments and embedded PNG/JPEG/GIF data, and DOCTYPE or entities
 * (entity expansion). Refusing with the reason lets the organiser export a clean file; a rewriter
 * would have to be right about every trick, a refusal only about what it lets through. Pure.
 */

/** Why an SVG was refused, as a locale key suffix. */
export type SvgProblem =
  'notSvg' | 'doctype' | 'script' | 'eventHandler' | 'foreignObject' | 'externalReference';

const references = /\b(?:xlink:)?href\s*=\s*("([^"]*)"|'([^']*)'|([^\s>]+))/gi;
const embedded = /^data:image\/(png|jpeg|gif);base64,[A-Za-z0-9+/=\s]*$/;

/** Every href in the file that is not a fragment (`#id`) or embedded bitmap data. */
function externalHrefs(svg: string): string[] {
  return [...svg.matchAll(references)]
    .map((m) => (m[2] ?? m[3] ?? m[4] ?? '').trim())
    .filter((v) => !v.startsWith('#') || /[&\s]/.test(v))
    .filter((v) => !embedded.test(v));
}

/** The problems of an SVG file's text, in a fixed order; empty when it may be stored. */
export function svgProblems(svg: string): SvgProblem[] {
  const problems: SvgProblem[] = [];
  const body = svg.replace(/<!--[\s\S]*?-->/g, '');
  if (!/^\s*(<\?xml[^>]*\?>\s*)?<svg[\s>]/i.test(body.replace(/^\uFEFF/, ''))) problems.push('notSvg');
  if (/<!(DOCTYPE|ENTITY)/i.test(svg)) problems.push('doctype');
  if (
    /<([a-z-]+:)?script[\s>/]/i.test(svg) ||
    /javascript\s*:/i.test(svg) ||
    /attributeName\s*=\s*["']?(xlink:)?href/i.test(svg)
  ) {
    problems.push('script');
  }
  if (/[\s"'/]on[a-z]+\s*=/i.test(svg)) problems.push('eventHandler');
  if (/<([a-z-]+:)?foreignObject[\s>/]/i.test(svg)) problems.push('foreignObject');
  if (externalHrefs(svg).length || /url\(\s*["']?(?!#)/i.test(svg) || /@import/i.test(svg)) {
    problems.push('externalReference');
  }
  return problems;
}
