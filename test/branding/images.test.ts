import { Resvg } from '@resvg/resvg-js';
import { checkImage } from '../../src/branding/images';
import { logoBox, parseImagePath } from '../../src/branding/images.service';

/** What an uploaded logo or cover is, read from its bytes alone. */

const png = (w: number, h: number) =>
  new Resvg(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}"><rect width="${w}" height="${h}"/></svg>`,
  )
    .render()
    .asPng();

/** The start of a baseline JPEG: SOI, an APP0 segment, then SOF0 with its height and width. */
function jpegHead(width: number, height: number): Buffer {
  const app0 = Buffer.from([0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 1, 1, 0, 0, 1, 0, 1, 0, 0]);
  const sof = Buffer.from([
    0xff,
    0xc0,
    0x00,
    0x11,
    0x08,
    height >> 8,
    height & 255,
    width >> 8,
    width & 255,
    3,
  ]);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), app0, sof, Buffer.alloc(64)]);
}

describe('checking uploaded images', () => {
  it('when a cover is a JPEG, then its size comes from the start-of-frame marker', () => {
    expect(checkImage('cover', jpegHead(1600, 500))).toEqual({
      contentType: 'image/jpeg',
      width: 1600,
      height: 500,
      mailPng: undefined,
    });
  });

  it('when a logo is a JPEG, then it is refused: logos are PNG or SVG', () => {
    expect(checkImage('logo', jpegHead(160, 40))).toEqual({ reason: 'notImage' });
  });

  it('when a PNG logo is wider than 2000 px, then it is refused for its pixels, while a cover of that width passes', () => {
    const wide = png(2400, 100);
    expect(checkImage('logo', wide)).toEqual({ reason: 'tooManyPixels' });
    expect(checkImage('cover', wide)).toMatchObject({ contentType: 'image/png', width: 2400, height: 100 });
  });

  it('when an SVG logo links to another file, then it is refused naming that, and a clean one gets a PNG 80 px high', () => {
    const external = Buffer.from(
      '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="10" height="10"><image xlink:href="https://tracker.example/p.png"/></svg>',
    );
    expect(checkImage('logo', external)).toEqual({ reason: 'svgUnsafe', problems: ['externalReference'] });
    const clean = checkImage(
      'logo',
      Buffer.from(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 30 10"><rect width="30" height="10"/></svg>',
      ),
    );
    expect(clean).toMatchObject({ contentType: 'image/svg+xml', width: 30, height: 10 });
    expect((clean as { mailPng: Buffer }).mailPng.readUInt32BE(20)).toBe(80);
  });

  it('when an SVG logo declares an absurd or missing size, then it is refused before it is rendered', () => {
    const svg = (attrs: string) =>
      Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" ${attrs}><rect width="1" height="1"/></svg>`);
    // Rendered 80 px high, this one would be 16,000,000 px wide (and abort the process in the renderer).
    expect(checkImage('logo', svg('width="200000" height="1"'))).toEqual({ reason: 'tooManyPixels' });
    expect(checkImage('logo', svg('width="20000000" height="1"'))).toEqual({ reason: 'tooManyPixels' });
    expect(checkImage('logo', svg('width="1000" height="10"'))).toEqual({ reason: 'tooManyPixels' });
    expect(checkImage('logo', svg('viewBox="0 0 1e9 1"'))).toEqual({ reason: 'tooManyPixels' });
    expect(checkImage('logo', svg(''))).toEqual({ reason: 'unreadable' });
    expect(checkImage('logo', svg('width="0" height="10"'))).toEqual({ reason: 'unreadable' });
    expect(checkImage('logo', svg('width="100%" height="100%" viewBox="0 0 120 40"'))).toMatchObject({
      contentType: 'image/svg+xml',
      width: 120,
      height: 40,
    });
  });

  it('when the bytes are text or nothing, then they are refused as not an image or missing', () => {
    expect(checkImage('logo', Buffer.from('hello'))).toEqual({ reason: 'notImage' });
    expect(checkImage('cover', Buffer.alloc(0))).toEqual({ reason: 'missing' });
  });

  it('when a logo is very wide, then it is shown at most 200 px wide, keeping its proportions', () => {
    expect(logoBox({ width: 120, height: 40 })).toEqual({ width: 120, height: 40 });
    expect(logoBox({ width: 1000, height: 100 })).toEqual({ width: 200, height: 20 });
  });

  it('when an image path is not one of ours, then it names no image', () => {
    expect(parseImagePath(`12-${'a'.repeat(16)}.mail.png`)).toEqual({
      id: 12,
      hash: 'a'.repeat(16),
      mail: true,
    });
    expect(parseImagePath('12-abc.png')).toBeUndefined();
    expect(parseImagePath(`12-${'a'.repeat(16)}.gif`)).toBeUndefined();
  });
});
