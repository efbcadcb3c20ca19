import { checkAccent, contrastRatio, parseHexColour, svgProblems } from '../../src/branding';

/** The checks an organiser's accent colour and SVG logo must pass before they are stored. */

describe('accent colour contrast', () => {
  it('when black and white are compared, then the ratio is 21, and a colour with itself 1', () => {
    expect(contrastRatio([0, 0, 0], [255, 255, 255])).toBeCloseTo(21, 5);
    expect(contrastRatio([11, 92, 173], [11, 92, 173])).toBe(1);
  });

  it('when the accent reaches 4.5:1 against white, then it is accepted as #rrggbb with its ratio', () => {
    expect(checkAccent('#0B5CAD')).toEqual({ ok: true, colour: '#0b5cad', ratio: 6.66 });
    expect(checkAccent('#767676')).toEqual({ ok: true, colour: '#767676', ratio: 4.54 });
  });

  it('when the accent is too light for white text, then it is refused with its ratio cut, never rounded up', () => {
    // #777777 is 4.478:1: shown as 4.47, not as a misleading 4.48 or 4.5.
    expect(checkAccent('#777')).toEqual({ ok: false, reason: 'contrast', ratio: 4.47 });
    expect(checkAccent('#f2a900')).toEqual({ ok: false, reason: 'contrast', ratio: 2 });
  });

  it.each(['0b5cad', '#0b5cad80', 'blue', 'rgb(0,0,0)', '#ggg', ''])(
    'when the accent is %p, then it is refused as no hex colour',
    (text) => {
      expect(checkAccent(text)).toEqual({ ok: false, reason: 'format' });
      expect(parseHexColour(text)).toBeUndefined();
    },
  );
});

describe('SVG logo check', () => {
  const wrap = (inner: string, attrs = '') =>
    `<svg xmlns="http://www.w3.org/2000/svg"${attrs}>${inner}</svg>`;

  it('when the logo is plain shapes, gradients by fragment and embedded PNG data, then nothing is refused', () => {
    const logo = `<?xml version="1.0"?>\n<!-- made by hand -->\n${wrap(
      '<defs><linearGradient id="g"/></defs><rect fill="url(#g)" width="10" height="10"/>' +
        '<use href="#g"/><image href="data:image/png;base64,iVBORw0KGgo="/>',
    )}`;
    expect(svgProblems(logo)).toEqual([]);
  });

  it.each([
    ['a script element', wrap('<script>alert(1)</script>'), 'script'],
    ['a prefixed script element', wrap('<svg:script>alert(1)</svg:script>'), 'script'],
    ['a javascript: link', wrap('<a href="javascript:alert(1)"><rect/></a>'), 'script'],
    ['an animation that sets an href', wrap('<a><set attributeName="href" to="x"/></a>'), 'script'],
    ['an event handler', wrap('<rect/>', ' onload="alert(1)"'), 'eventHandler'],
    ['HTML inside', wrap('<foreignObject><div>hi</div></foreignObject>'), 'foreignObject'],
    ['an external image', wrap('<image href="https://tracker.example/x.png"/>'), 'externalReference'],
    ['an external use', wrap('<use xlink:href="other.svg#a"/>'), 'externalReference'],
    [
      'a CSS url to elsewhere',
      wrap('<style>rect{fill:url(https://x.example/f)}</style>'),
      'externalReference',
    ],
    ['an imported stylesheet', wrap('<style>@import "x.css";</style>'), 'externalReference'],
    ['entities', `<!DOCTYPE svg [<!ENTITY a "aaaa">]>${wrap('<text>&a;</text>')}`, 'doctype'],
    ['no svg at all', '<html><body>logo</body></html>', 'notSvg'],
  ])('when the logo holds %s, then it is refused for that', (_what, svg, problem) => {
    expect(svgProblems(svg)).toContain(problem);
  });
});
