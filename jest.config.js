/** Unit and HTTP tests against a real PostgreSQL (embedded by default, TEST_DATABASE_URL when set). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/test/browser/', '/test/stress/', '\\.processes\\.test\\.ts$'],
  transform: {
    // Transpile only, with swc (types are checked by `npm run typecheck`): a fraction of ts-jest's CPU
    // per file, which matters on a 2-core machine running the suite twice.
    '^.+\\.ts$': [
      '@swc/jest',
      { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } },
    ],
  },
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
  setupFiles: ['<rootDir>/test/setup-env.ts'],
  maxWorkers: 2,
  testTimeout: 30000,
};
