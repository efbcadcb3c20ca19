import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config';
import { localSecrets } from '../../src/db/data-dir';
import { createTransport } from '../../src/delivery/transport';

describe('mails written to files when no SMTP server is set', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tsunagaru-files-')), 'data');
  });
  afterEach(() => fs.rmSync(path.dirname(dataDir), { recursive: true, force: true }));

  it("when a mail is written, then only the product's own user can read it or list the folder (it holds personal links)", async () => {
    // A folder made by an earlier version, open to everybody: it is closed on the first mail.
    fs.mkdirSync(path.join(dataDir, 'outbox'), { recursive: true, mode: 0o755 });
    fs.chmodSync(path.join(dataDir, 'outbox'), 0o755);
    const transport = createTransport(loadConfig({ DATA_DIR: dataDir }));
    try {
      await transport.send(
        { from: 'a@example.org', to: 'b@example.org', subject: 'Join link', text: 'https://x/join/secret' },
        { mailId: 7, at: new Date('2026-12-01T00:00:00Z') },
      );
    } finally {
      transport.close();
    }
    const files = fs.readdirSync(path.join(dataDir, 'outbox'));
    expect(files).toHaveLength(1);
    expect(fs.statSync(path.join(dataDir, 'outbox')).mode & 0o777).toBe(0o700);
    expect(fs.statSync(path.join(dataDir, 'outbox', files[0]!)).mode & 0o777).toBe(0o600);
  });

  it('when the data folder is made on first start, then it and its secrets file are closed to other users', () => {
    localSecrets(dataDir);
    expect(fs.statSync(dataDir).mode & 0o077).toBe(0);
    expect(fs.statSync(path.join(dataDir, 'secrets.json')).mode & 0o777).toBe(0o600);
  });
});
