/** Unit and HTTP tests against a real PostgreSQL (embedded by default, TEST_DATABASE_URL when set). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/test/browser/', '/test/stress/', '\\.processes\\.test\\.ts$'],
  transform: {
    // Transpile only (types are checked by `npm run typecheck`), which keeps each file fast.
    '^.+\\.ts$': ['ts-jest', { diagnostics: false }],
  },
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
  setupFiles: ['<rootDir>/test/setup-env.ts'],
  maxWorkers: 2,
  testTimeout: 30000,
};
