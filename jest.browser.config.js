/** Browser tests: Debian's chromium driven by playwright-core against the real app. */
const base = require('./jest.config');
module.exports = {
  ...base,
  testMatch: ['**/test/browser/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
  maxWorkers: 1,
  testTimeout: 60000,
};
