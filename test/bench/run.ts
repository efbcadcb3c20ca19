import fs from 'node:fs';
import path from 'node:path';
import { setLogLevel } from '../../src/logger';

/**
 * `npm run bench [-- NAME]`: runs every test/bench/*.bench.ts (or those whose name contains NAME) one
 * after the other. Each bench module exports `run()`, which prints its own table. Benchmarks are not
 * jest tests: they take minutes, need a real database and report numbers rather than pass or fail.
 */
async function main(): Promise<void> {
  setLogLevel('warn');
  const only = process.argv[2];
  const files = fs
    .readdirSync(__dirname)
    .filter((f) => f.endsWith('.bench.ts') && (!only || f.includes(only)))
    .sort();
  if (!files.length) throw new Error(`no benchmark matches ${only ?? '*.bench.ts'}`);
  for (const file of files) {
    console.log(`\n# ${file}`);
    const mod = (await import(path.join(__dirname, file))) as { run?: () => Promise<void> };
    if (typeof mod.run !== 'function') throw new Error(`${file} does not export run()`);
    await mod.run();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
