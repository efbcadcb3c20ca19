import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

/**
 * Each table has one owner folder, the only one with SQL on it (README "Architecture"). A string or
 * template naming a table in an INSERT, UPDATE or DELETE outside its owner fails here, and so does one
 * reading it (FROM or JOIN) where `reads` is set. `outgoing_mails` is checked for writes only: two
 * queries in src/registrations read it to leave out who already has a topic's row (see that folder's
 * README). dependency-cruiser keeps everybody else out of an owner's *.queries.ts.
 */
const tableOwners = {
  registrations: { owner: 'registrations', reads: true },
  registration_tokens: { owner: 'registrations', reads: true },
  event_seats: { owner: 'registrations', reads: true },
  outgoing_mails: { owner: 'outbox', reads: false },
  event_messages: { owner: 'messages', reads: true },
  // src/registrations reads Zoom minutes for "attended" (lists, filters, exports); only src/zoom writes.
  zoom_registrants: { owner: 'zoom', reads: false },
  zoom_presence: { owner: 'zoom', reads: false },
};

function sqlOutsideOwner(exceptFolder) {
  return Object.entries(tableOwners)
    .filter(([, { owner }]) => owner !== exceptFolder)
    .flatMap(([table, { owner, reads }]) => {
      const verbs = reads ? 'INSERT INTO|UPDATE|DELETE FROM|FROM|JOIN' : 'INSERT INTO|UPDATE|DELETE FROM';
      const sql = `/\\b(${verbs})\\s+${table}\\b/`;
      const message = `Only src/${owner}/ has SQL ${reads ? 'on' : 'writing'} ${table}: call its index.ts.`;
      return [
        { selector: `Literal[value=${sql}]`, message },
        { selector: `TemplateElement[value.raw=${sql}]`, message },
      ];
    });
}

const tableOwnership = [
  { files: ['src/**/*.ts'], rules: { 'no-restricted-syntax': ['error', ...sqlOutsideOwner(null)] } },
  ...[...new Set(Object.values(tableOwners).map((t) => t.owner))].map((folder) => ({
    files: [`src/${folder}/**/*.ts`],
    rules: { 'no-restricted-syntax': ['error', ...sqlOutsideOwner(folder)] },
  })),
];

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'data/', 'coverage/', 'test-results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  ...tableOwnership,
  { files: ['public/**/*.js'], languageOptions: { globals: { ...globals.browser } } },
  {
    files: ['*.js', 'test/*.js', '.ci/*.js', 'test/bench/baselines/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
