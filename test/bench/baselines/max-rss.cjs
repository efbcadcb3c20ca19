/**
 * Preloaded with `node --require` into a measured process: at exit, writes the process's peak resident
 * set size (KiB, from the kernel) to the file named by BENCH_MAX_RSS_FILE.
 */
const fs = require('node:fs');

process.on('exit', () => {
  const file = process.env.BENCH_MAX_RSS_FILE;
  if (file) fs.writeFileSync(file, String(process.resourceUsage().maxRSS));
});
