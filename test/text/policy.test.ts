import { hasRefusedCharacters, normaliseEmail, normaliseText, searchText } from '../../src/text';

describe('the input policy', () => {
  it.each([
    ['NUL', 'a\u0000b'],
    ['a C0 control', 'a\u001bb'],
    ['DEL', 'a\u007fb'],
    ['a C1 control', 'a\u0085b'],
    ['a bidi override', 'a\u202eb'],
    ['a bidi isolate', 'a\u2067b'],
    ['a zero-width space', 'a\u200bb'],
    ['a word joiner', 'a\u2060b'],
    ['a BOM', '\ufeffab'],
    ['a line separator', 'a\u2028b'],
    ['a paragraph separator', 'a\u2029b'],
    ['a lone high surrogate', 'a\ud800b'],
    ['a lone low surrogate', 'a\udc00b'],
    ['a ZWJ between Latin letters', 'ad\u200dmin'],
    ['a ZWNJ at the start', '\u200cabc'],
  ])('when a text holds %s, then it is refused, one-line or multi-line', (_what, value) => {
    expect(hasRefusedCharacters(value)).toBe(true);
    expect(hasRefusedCharacters(value, { multiline: true })).toBe(true);
  });

  it.each(['a\tb', 'a\nb', 'a\r\nb', 'a\rb'])(
    'when %j is in a one-line field, then it is refused; in a multi-line field it is kept, CR LF as LF',
    (value) => {
      expect(hasRefusedCharacters(value)).toBe(true);
      expect(hasRefusedCharacters(value, { multiline: true })).toBe(false);
      expect(normaliseText(value, { multiline: true })).toBe(value.replace(/\r\n?/g, '\n'));
    },
  );

  it.each([
    ['Japanese with an ideographic space', '山田\u3000花子'],
    ['an emoji ZWJ sequence', '👩‍💻'],
    ['an emoji ZWJ sequence with a skin tone', '👩🏽‍💻'],
    ['an emoji ZWJ sequence after a variation selector', '❤️‍🔥'],
    ['a Devanagari conjunct with ZWJ', 'क्\u200dष'],
    ['a Persian word with ZWNJ', 'می\u200cخواهم'],
    ['an astral character', '𠮷野家'],
    ['right-to-left and left-to-right marks', 'a\u200fb\u200e'],
  ])('when a text holds %s, then it is accepted', (_what, value) => {
    expect(hasRefusedCharacters(value)).toBe(false);
  });

  it('when a text is decomposed, then it is stored composed (NFC)', () => {
    expect(normaliseText('Mu\u0308ller')).toBe('Müller');
  });

  it('when an e-mail address is typed full-width, then NFKC makes it ASCII', () => {
    expect(normaliseEmail('ｙａｍａｄａ＠ｅｘａｍｐｌｅ．ｏｒｇ')).toBe('yamada@example.org');
  });

  it('when a search holds refused characters, then they are removed, line breaks as spaces, joiners kept in emoji', () => {
    expect(searchText('\u202eYa\u0000ma\u200bda\ud800\n👩‍💻 a\u200db')).toBe('Yamada 👩‍💻 ab');
  });
});
