/**
 * How a registrant's name is written, in every language: names in Japanese script read family name
 * first ("山田 花子", never "花子 山田"); names in Latin script keep the order their owner uses in Latin
 * script, given name first ("Hanako Yamada", "Jürgen Schwettmann"), as Japanese business mail writes
 * them. Mails, calendar invites and the manage page all use this one rule.
 */
const japaneseScript = /[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\uff66-\uff9f]/;

export function displayName(r: { familyName: string; givenName: string }): string {
  const family = r.familyName.trim();
  const given = r.givenName.trim();
  const familyFirst = japaneseScript.test(family + given);
  return (familyFirst ? [family, given] : [given, family]).filter(Boolean).join(' ');
}
