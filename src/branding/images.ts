import { createRequire } from 'node:module';
import type { Resvg as ResvgClass } from '@resvg/resvg-js';
import { svgProblems, type SvgProblem } from './svg';

/**
 * What an uploaded logo or cover image is, read from its bytes (never from the browser's word for it):
 * the PNG signature and IHDR size, the JPEG start-of-frame size, or SVG text that passes svgProblems.
 * SVG logos are rendered to PNG here for mails, which Gmail and Outlook show while they drop SVG.
 */

/** Logos: 1 MB, and no side over 2000 px (a logo is shown 40 px high). */
export const maxLogoBytes = 1024 * 1024;
/** Cover images: 2 MB, and no side over 4000 px (shown at most 46rem wide, twice for sharp screens). */
export const maxCoverBytes = 2 * 1024 * 1024;
const maxSide = { logo: 2000, cover: 4000 } as const;

/** The height a logo is shown at, in the page header and in mails (CSS pixels). */
export const logoHeight = 40;

export type ImageKind = 'logo' | 'cover';
export type ImageType = 'image/png' | 'image/jpeg' | 'image/svg+xml';

/** Why an upload was refused, as a key under `branding:errors.`; SVG problems come with it. */
export type ImageRefusal =
  | { reason: 'missing' | 'tooLarge' | 'notImage' | 'tooManyPixels' | 'unreadable' }
  | { reason: 'svgUnsafe'; problems: SvgProblem[] };

/** A checked image, ready to store: its type and size, and for logos the PNG that mails show. */
export interface CheckedImage {
  contentType: ImageType;
  width: number;
  height: number;
  mailPng: Buffer | undefined;
}

const pngSignature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** A PNG's size from its IHDR chunk (which must come first), or undefined when it is not a PNG. */
function pngSize(data: Buffer): { width: number; height: number } | undefined {
  if (data.length < 24 || !data.subarray(0, 8).equals(pngSignature)) return undefined;
  if (data.subarray(12, 16).toString('latin1') !== 'IHDR') return undefined;
  return { width: data.readUInt32BE(16), height: data.readUInt32BE(20) };
}

/** A JPEG's size from its first start-of-frame marker, or undefined when it is not a JPEG. */
function jpegSize(data: Buffer): { width: number; height: number } | undefined {
  if (data.length < 4 || data[0] !== 0xff || data[1] !== 0xd8 || data[2] !== 0xff) return undefined;
  let at = 2;
  while (at + 9 < data.length) {
    if (data[at] !== 0xff) return undefined;
    const marker = data[at + 1]!;
    const length = data.readUInt16BE(at + 2);
    // SOF0-SOF15 except DHT (C4), JPG (C8) and DAC (CC) carry the frame's height and width.
    if (marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker)) {
      return { height: data.readUInt16BE(at + 5), width: data.readUInt16BE(at + 7) };
    }
    at += 2 + length;
  }
  return undefined;
}

/** Whether the bytes start like SVG text (after an optional BOM, XML declaration or comment). */
function looksLikeSvg(data: Buffer): boolean {
  const head = data
    .subarray(0, 1024)
    .toString('utf8')
    .replace(/^\uFEFF/, '');
  return /^\s*(<\?xml[^>]*\?>\s*)?(<!--[\s\S]*?-->\s*)*<svg[\s>]/i.test(head);
}

/**
 * The SVG renderer, a native module loaded on the first SVG upload: the web process that only serves
 * pages (and the worker) never needs it.
 */
function resvg(): typeof ResvgClass {
  return (createRequire(__filename)('@resvg/resvg-js') as { Resvg: typeof ResvgClass }).Resvg;
}

/** An SVG logo rendered to a PNG twice the shown height, for sharp mails on high-density screens. */
function svgToPng(svg: string): { png: Buffer; width: number; height: number } {
  const Resvg = resvg();
  // The SVG's own size (width/height, else its viewBox) is what the page header scales.
  const size = new Resvg(svg);
  const width = Math.round(size.width);
  const height = Math.round(size.height);
  const rendered = new Resvg(svg, { fitTo: { mode: 'height', value: logoHeight * 2 } }).render();
  return { png: rendered.asPng(), width, height };
}

/** The widest logo, against its height, that a mail shows (80 px high, so at most 1,600 px wide). */
const maxLogoAspect = 20;

function aspectProblem(size: { width: number; height: number }): ImageRefusal | undefined {
  return size.width / size.height > maxLogoAspect || size.height / size.width > maxLogoAspect
    ? { reason: 'tooManyPixels' }
    : undefined;
}

/** A length as an SVG root gives it: a plain number or pixels; anything relative says nothing. */
function svgLength(value: string | undefined): number | undefined {
  const m = value === undefined ? null : /^\s*([0-9]*\.?[0-9]+(?:e[+-]?[0-9]+)?)\s*(px)?\s*$/i.exec(value);
  return m ? Number(m[1]) : undefined;
}

/**
 * The size the root <svg> declares: its width and height, else its viewBox (what a renderer sizes it
 * by). Undefined when it declares neither, or anything not finite and positive.
 */
export function svgDeclaredSize(svg: string): { width: number; height: number } | undefined {
  const root = /<svg\b([^>]*)>/i.exec(svg);
  if (!root) return undefined;
  const attr = (name: string) =>
    new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)')`, 'i')
      .exec(root[1]!)
      ?.slice(1)
      .find((v) => v !== undefined);
  const box = attr('viewBox')
    ?.trim()
    .split(/[\s,]+/)
    .map(Number);
  const fromBox = box?.length === 4 ? { width: box[2]!, height: box[3]! } : undefined;
  const width = svgLength(attr('width')) ?? fromBox?.width;
  const height = svgLength(attr('height')) ?? fromBox?.height;
  if (width === undefined || height === undefined) return undefined;
  if (!(Number.isFinite(width) && Number.isFinite(height) && width > 0 && height > 0)) return undefined;
  return { width, height };
}

function sizeProblem(kind: ImageKind, size: { width: number; height: number }): ImageRefusal | undefined {
  if (size.width < 1 || size.height < 1) return { reason: 'unreadable' };
  if (size.width > maxSide[kind] || size.height > maxSide[kind]) return { reason: 'tooManyPixels' };
  return undefined;
}

/**
 * Checks an upload for `kind`: logos are PNG or safe SVG (max 1 MB), covers PNG or JPEG (max 2 MB).
 * Returns the checked image, or why it is refused.
 */
export function checkImage(kind: ImageKind, data: Buffer | undefined): CheckedImage | ImageRefusal {
  if (!data || data.length === 0) return { reason: 'missing' };
  if (data.length > (kind === 'logo' ? maxLogoBytes : maxCoverBytes)) return { reason: 'tooLarge' };
  const png = pngSize(data);
  if (png) {
    const problem = sizeProblem(kind, png);
    if (problem) return problem;
    return { contentType: 'image/png', ...png, mailPng: kind === 'logo' ? data : undefined };
  }
  const jpeg = kind === 'cover' ? jpegSize(data) : undefined;
  if (jpeg) return sizeProblem(kind, jpeg) ?? { contentType: 'image/jpeg', ...jpeg, mailPng: undefined };
  if (kind !== 'logo' || !looksLikeSvg(data)) return { reason: 'notImage' };
  const svg = data.toString('utf8');
  const problems = svgProblems(svg);
  if (problems.length) return { reason: 'svgUnsafe', problems };
  // The size the SVG declares is checked before the renderer sees it: an absurd width (or a sliver of a
  // height) would have it allocate gigabytes, or abort the process, rendering to the mail's height.
  const declared = svgDeclaredSize(svg);
  if (!declared) return { reason: 'unreadable' };
  const problem = sizeProblem(kind, declared) ?? aspectProblem(declared);
  if (problem) return problem;
  try {
    const { png: mailPng, width, height } = svgToPng(svg);
    return sizeProblem(kind, { width, height }) ?? { contentType: 'image/svg+xml', width, height, mailPng };
  } catch {
    return { reason: 'unreadable' };
  }
}

/** Whether a check refused the image. */
export function isRefusal(x: CheckedImage | ImageRefusal): x is ImageRefusal {
  return 'reason' in x;
}
