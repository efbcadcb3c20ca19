/** Tests that start worker processes and servers of their own: run alone, after the main suite. */
const base = require('./jest.config');

module.exports = {
  ...base,
  testMatch: ['**/*.processes.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/test/browser/', '/test/stress/'],
  maxWorkers: 1,
};
