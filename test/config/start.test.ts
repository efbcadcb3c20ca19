import { spawnSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');
const tsx = path.join(root, 'node_modules/.bin/tsx');

describe('starting with bad configuration', () => {
  it('when PORT and DATABASE_URL are invalid, then npm start prints one clear message naming both and exits 1 without a stack trace', () => {
    const res = spawnSync(tsx, ['src/main.ts'], {
      cwd: root,
      env: { PATH: process.env.PATH, PORT: 'eighty', DATABASE_URL: 'mysql://db/x' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(res.status).toBe(1);
    expect(res.stderr).toContain('Invalid configuration:');
    expect(res.stderr).toMatch(/PORT/);
    expect(res.stderr).toMatch(/DATABASE_URL must be a postgres:\/\//);
    expect(res.stderr).not.toMatch(/\n\s+at /);
  });

  it('when an unknown role is given, then it says which roles exist and exits 1', () => {
    const res = spawnSync(tsx, ['src/main.ts', 'mailer'], {
      cwd: root,
      env: { PATH: process.env.PATH },
      encoding: 'utf8',
    });
    expect(res.status).toBe(1);
    expect(res.stderr).toContain('Use web, worker or all');
  });
});
