import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { paths } from './paths';

/**
 * Keeps `npm start` from running a build that no longer matches its sources. `npm run build` writes a
 * fingerprint of every file under `src/` next to the compiled code; a start from `dist/` compares it
 * with the sources beside it. Where there are no sources (a container image holds only the build),
 * there is nothing to compare and the build is what there is.
 */

/** SHA-256 over the relative path and content of every file under `dir`, in a stable order. */
export function sourceFingerprint(dir = paths.sources): string {
  const hash = crypto.createHash('sha256');
  const walk = (d: string) => {
    for (const entry of fs
      .readdirSync(d, { withFileTypes: true })
      .sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) {
        hash.update(path.relative(dir, full).split(path.sep).join('/')).update('\0');
        hash.update(fs.readFileSync(full)).update('\0');
      }
    }
  };
  walk(dir);
  return hash.digest('hex');
}

/** Where the sources, the build and its fingerprint are (the project's own, or a test's). */
export type BuildPaths = Pick<typeof paths, 'sources' | 'build' | 'buildInfo'>;

/** Records the sources' fingerprint in dist/build-info.json; the last step of `npm run build`. */
export function writeBuildInfo(where: BuildPaths = paths): void {
  fs.writeFileSync(
    where.buildInfo,
    `${JSON.stringify({ sources: sourceFingerprint(where.sources) }, null, 2)}\n`,
  );
}

/**
 * Undefined when the running code may start; otherwise the sentence that says why not. Only compiled
 * code is checked: the sources, run by tsx or jest, are always current.
 */
export function staleBuild(runningFrom = __dirname, where: BuildPaths = paths): string | undefined {
  if (path.resolve(runningFrom) !== where.build || !fs.existsSync(where.sources)) return undefined;
  let built: string | undefined;
  try {
    built = (JSON.parse(fs.readFileSync(where.buildInfo, 'utf8')) as { sources?: string }).sources;
  } catch {
    built = undefined;
  }
  if (built === sourceFingerprint(where.sources)) return undefined;
  return (
    'The build in dist/ does not match the sources in src/ (they changed after the last build). ' +
    'Run `npm run build` first, or `npm run dev` to run the sources directly.'
  );
}

if (require.main === module) writeBuildInfo();
