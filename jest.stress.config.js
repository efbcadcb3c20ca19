/**
 * Load and fault tests (`npm run test:stress`): several product processes from the build on a
 * PostgreSQL of their own, which the tests stop and restart. Run alone, one file at a time.
 */
const base = require('./jest.config');

module.exports = {
  ...base,
  testMatch: ['**/test/stress/*.stress.test.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
  // Each file starts its own database server; the template database of the main suite is not needed.
  globalSetup: undefined,
  globalTeardown: undefined,
  maxWorkers: 1,
  testTimeout: 300_000,
};
