/**
 * What other folders may use of the input policy: the pure checks (policy.ts) and the zod schemas
 * that apply them (schemas.ts).
 */
export { hasRefusedCharacters, normaliseEmail, normaliseText, searchText, type TextOptions } from './policy';
export { emailText, invalidCharacters, multilineText, searchInput, text } from './schemas';
export { phrases } from './phrases';
