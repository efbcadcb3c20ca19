import path from 'node:path';
import type { Parser, jaModel } from 'budoux';

/**
 * Japanese text cut into phrases (BudouX's model), so a page can offer line breaks only between them:
 * "ILO・JCA共催ウェビナー" | "「TSUNAGARU" | "（つながる）〜社会的連帯経済〜」". CSS `word-break:
 * auto-phrase` does this in Chromium only; phrases joined by <wbr> under `word-break: keep-all` do it
 * in every browser, iPhone Safari included, so no line starts with a lone 「ー」 or splits 「つなが/る」.
 */
let parser: Parser | undefined;

/**
 * BudouX's entry point also loads its HTML processor (linkedom, whose dependencies are ES modules that
 * jest cannot load), which a server that only cuts text does not need; its exports map hides the plain
 * parser, so the parser and the Japanese model are read from the package's own folder.
 */
function japaneseParser(): Parser {
  const dist = path.dirname(require.resolve('budoux'));
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { Parser: PlainParser } = require(path.join(dist, 'parser.js')) as { Parser: typeof Parser };
  const { model } = require(path.join(dist, 'data/models/ja.js')) as { model: typeof jaModel };
  /* eslint-enable @typescript-eslint/no-require-imports */
  return new PlainParser(model);
}

/** The phrases of `text` when `lang` is Japanese; any other text as one piece. Never loses a character. */
export function phrases(text: string, lang: string | undefined): string[] {
  if (lang !== 'ja' || !text) return [text];
  parser ??= japaneseParser();
  return parser.parse(text);
}
