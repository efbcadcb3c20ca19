/**
 * What other folders may use of the input policy: the pure checks (policy.ts) and the zod schemas
 * that apply them (schemas.ts); Japanese phrases for line breaking; reading CSV files (csv.ts).
 */
export { hasRefusedCharacters, normaliseEmail, normaliseText, searchText, type TextOptions } from './policy';
export { emailText, invalidCharacters, multilineText, searchInput, text } from './schemas';
export { phrases } from './phrases';
export { decodeCsv, parseCsv } from './csv';
