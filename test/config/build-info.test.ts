import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { staleBuild, writeBuildInfo, type BuildPaths } from '../../src/build-info';

describe('a build that no longer matches its sources', () => {
  let root: string;
  let where: BuildPaths;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'tsunagaru-build-'));
    where = {
      sources: path.join(root, 'src'),
      build: path.join(root, 'dist'),
      buildInfo: path.join(root, 'dist', 'build-info.json'),
    };
    fs.mkdirSync(path.join(where.sources, 'events'), { recursive: true });
    fs.mkdirSync(where.build);
    fs.writeFileSync(path.join(where.sources, 'main.ts'), 'export const a = 1;\n');
    fs.writeFileSync(path.join(where.sources, 'events', 'x.ts'), 'export const b = 2;\n');
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('when the sources are as they were built, then the build may start', () => {
    writeBuildInfo(where);
    expect(staleBuild(where.build, where)).toBeUndefined();
  });

  it('when a source file changed, was added or is missing since the build, then the start is refused with what to do', () => {
    writeBuildInfo(where);
    fs.writeFileSync(path.join(where.sources, 'events', 'x.ts'), 'export const b = 3;\n');
    expect(staleBuild(where.build, where)).toMatch(/does not match the sources.*npm run build.*npm run dev/);
    writeBuildInfo(where);
    fs.writeFileSync(path.join(where.sources, 'events', 'y.ts'), '');
    expect(staleBuild(where.build, where)).toMatch(/npm run build/);
    writeBuildInfo(where);
    fs.rmSync(path.join(where.sources, 'main.ts'));
    expect(staleBuild(where.build, where)).toMatch(/npm run build/);
  });

  it('when there is no fingerprint (a build by hand with tsc), then the start is refused', () => {
    expect(staleBuild(where.build, where)).toMatch(/npm run build/);
  });

  it('when there are no sources beside the build (a container image) or the code runs from the sources, then nothing is compared', () => {
    expect(staleBuild(where.sources, where)).toBeUndefined();
    fs.rmSync(where.sources, { recursive: true });
    expect(staleBuild(where.build, where)).toBeUndefined();
  });
});
