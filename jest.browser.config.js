/** Browser tests: Debian's chromium driven by playwright-core against the real app. */
const base = require('./jest.config');
module.exports = {
  ...base,
  testMatch: ['**/test/browser/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
  // One Chromium for the whole run, which each file connects to.
  globalSetup: '<rootDir>/test/browser-global-setup.ts',
  globalTeardown: '<rootDir>/test/browser-global-teardown.ts',
  maxWorkers: 1,
  testTimeout: 60000,
};
