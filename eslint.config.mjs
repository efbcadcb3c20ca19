import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

/**
 * Each table has one owner folder, the only one with SQL on it (README "Architecture"). Writes are
 * what a lint rule can tell cheaply and surely: an INSERT, UPDATE or DELETE on a table outside its
 * owner fails here. (Reads that join another folder's table live with the owner of their main table,
 * as that folder's README says; dependency-cruiser keeps others out of its *.queries.ts.)
 */
const tableOwners = { registrations: 'registrations', outgoing_mails: 'outbox', event_messages: 'messages' };

function writesOutsideOwner(exceptFolder) {
  return Object.entries(tableOwners)
    .filter(([, owner]) => owner !== exceptFolder)
    .flatMap(([table, owner]) => {
      const sql = `/(INSERT INTO|UPDATE|DELETE FROM)\\s+${table}\\b/`;
      const message = `Only src/${owner}/ writes ${table}: call its index.ts.`;
      return [
        { selector: `Literal[value=${sql}]`, message },
        { selector: `TemplateElement[value.raw=${sql}]`, message },
      ];
    });
}

const tableOwnership = [
  { files: ['src/**/*.ts'], rules: { 'no-restricted-syntax': ['error', ...writesOutsideOwner(null)] } },
  ...[...new Set(Object.values(tableOwners))].map((folder) => ({
    files: [`src/${folder}/**/*.ts`],
    rules: { 'no-restricted-syntax': ['error', ...writesOutsideOwner(folder)] },
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
    files: ['*.js', 'test/*.js', '.ci/*.js'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
