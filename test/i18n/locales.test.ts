import fs from 'node:fs';
import path from 'node:path';
import { paths } from '../../src/paths';

/** Every key of a namespace file, dotted ("form.errors.required"). */
function keysOf(value: unknown, prefix = ''): string[] {
  if (value === null || typeof value !== 'object') return [prefix];
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) =>
    keysOf(v, prefix ? `${prefix}.${k}` : k),
  );
}

function namespaceKeys(lang: string): Map<string, Set<string>> {
  const dir = path.join(paths.locales, lang);
  return new Map(
    fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => [f, new Set(keysOf(JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'))))]),
  );
}

describe('locale files', () => {
  it('when a text exists in English, then it exists in Japanese too, and the other way round', () => {
    const en = namespaceKeys('en');
    const ja = namespaceKeys('ja');
    expect([...ja.keys()].sort()).toEqual([...en.keys()].sort());
    const missing: string[] = [];
    for (const [file, keys] of en) {
      const other = ja.get(file)!;
      for (const k of keys) if (!other.has(k)) missing.push(`ja/${file}: ${k}`);
      for (const k of other) if (!keys.has(k)) missing.push(`en/${file}: ${k}`);
    }
    expect(missing).toEqual([]);
  });
});
