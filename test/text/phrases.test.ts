import { phrases } from '../../src/text';

describe('Japanese phrases for line breaking', () => {
  it('when the demo title is cut, then the pieces are whole phrases: つながる and 〜社会的連帯経済〜 are never split', () => {
    const title = 'ILO・JCA共催ウェビナー「TSUNAGARU（つながる）〜社会的連帯経済〜」';
    const pieces = phrases(title, 'ja');
    expect(pieces.join('')).toBe(title);
    expect(pieces.length).toBeGreaterThan(1);
    expect(pieces.some((p) => p.includes('つながる'))).toBe(true);
    expect(pieces.some((p) => p.includes('社会的連帯経済'))).toBe(true);
    // No piece starts with a long-vowel mark or closing bracket: a line never starts with one.
    for (const p of pieces) expect(p).not.toMatch(/^[ー〜」）、。]/);
  });

  it('when a sentence is cut, then it breaks between phrases, not inside words', () => {
    const pieces = phrases('ウェビナーの参加リンクをお送りします。', 'ja');
    expect(pieces.join('')).toBe('ウェビナーの参加リンクをお送りします。');
    expect(pieces).toContain('ウェビナーの');
  });

  it('when the text is English or empty, then it comes back whole', () => {
    expect(phrases('Social and Solidarity Economy', 'en')).toEqual(['Social and Solidarity Economy']);
    expect(phrases('', 'ja')).toEqual(['']);
  });
});
