import fs from 'node:fs/promises';
import path from 'node:path';

/**
 * The `.eml` files the file transport writes, `<DATA_DIR>/outbox/<UTC timestamp>-<mail id>.eml`, as far
 * as erasing a person needs them: a mail's file goes with its row's personal data.
 */

/** Deletes the `.eml` files of these mails; returns how many it deleted. A missing folder holds none. */
export async function removeMailFiles(dataDir: string, mailIds: readonly number[]): Promise<number> {
  if (!mailIds.length) return 0;
  const dir = path.join(dataDir, 'outbox');
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw err;
  }
  const wanted = new Set(mailIds.map(String));
  let removed = 0;
  for (const name of names) {
    const id = /^[0-9TZ]+-(\d+)\.eml$/.exec(name)?.[1];
    if (!id || !wanted.has(id)) continue;
    await fs.rm(path.join(dir, name), { force: true });
    removed++;
  }
  return removed;
}
