/** Browser tests: Debian's chromium driven by playwright-core against the real app. */
const base = require('./jest.config');
module.exports = {
  ...base,
  testMatch: ['**/test/browser/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
  // One Chromium for the whole run, which each file connects to.
  globalSetup: '<rootDir>/test/browser-global-setup.ts',
  globalTeardown: '<rootDir>/test/browser-global-teardown.ts',
  // Two files at a time: each has its own app and database, and they share the one Chromium.
  maxWorkers: 2,
  testTimeout: 60000,
};
