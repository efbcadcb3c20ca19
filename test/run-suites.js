// `npm test`: the suite in parallel, then the tests that run several worker processes of their own
// (*.processes.test.ts) on their own, so their load does not starve the other tests' timeouts on a
// small machine. Arguments go to both runs; --outputFile=x.json becomes x-processes.json for the second.
const { spawnSync } = require('node:child_process');

const args = process.argv.slice(2);
const jest = require.resolve('jest/bin/jest');
const run = (extra) => spawnSync(process.execPath, [jest, ...extra], { stdio: 'inherit' }).status ?? 1;

const first = run(args);
const second = run([
  '--config',
  'jest.processes.config.js',
  '--passWithNoTests',
  ...args.map((a) =>
    a.replace(/^(--outputFile=.*?)(\.json)?$/, (_m, base, ext) => `${base}-processes${ext ?? ''}`),
  ),
]);
process.exit(first || second);
