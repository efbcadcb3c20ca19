import type { Queryable } from '../db/pool';
import type { InstallationBranding } from './events.types';

/**
 * Named queries for the installation's organiser profile (one row of installation_branding). An event's
 * own branding is on its row (events.queries.ts, setEventBranding), and every event read carries this
 * profile beside it.
 */

/** The installation's organiser profile. */
export async function installationBranding(db: Queryable): Promise<InstallationBranding> {
  const res = await db.query<InstallationBranding>(
    'SELECT organisation, accent, logo FROM installation_branding WHERE id',
  );
  return res.rows[0] ?? { organisation: {}, accent: null, logo: null };
}

/** Serialises saves of the installation's profile until the transaction ends. */
export async function lockInstallationBranding(db: Queryable): Promise<void> {
  await db.query(`SELECT pg_advisory_xact_lock(hashtextextended('installation-branding', 0))`);
}

/** Replaces the installation's organiser profile (its one row, made if missing). */
export async function updateInstallationBranding(
  db: Queryable,
  b: InstallationBranding,
  now: Date,
): Promise<InstallationBranding> {
  const res = await db.query<InstallationBranding>(
    `INSERT INTO installation_branding (id, organisation, accent, logo, updated_at)
     VALUES (true, $1, $2, $3, $4)
     ON CONFLICT (id) DO UPDATE SET organisation = $1, accent = $2, logo = $3, updated_at = $4
     RETURNING organisation, accent, logo`,
    [JSON.stringify(b.organisation), b.accent, b.logo && JSON.stringify(b.logo), now],
  );
  return res.rows[0]!;
}
