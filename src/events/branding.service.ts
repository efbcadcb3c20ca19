import type pg from 'pg';
import { insertAuditEntry } from '../audit';
import { checkAccent, storeBrandingImage, type ImageRef } from '../branding';
import { withTransaction, type Queryable } from '../db/pool';
import { DomainError } from '../errors';
import type { SaveContext } from './events.service';
import type { EventBranding, EventRecord, InstallationBranding, Texts } from './events.types';
import * as q from './events.queries';
import * as profile from './branding.queries';

/**
 * The organiser profile: the installation's organisation name, accent colour and logo, and each
 * event's override of them plus its cover image. Every save checks all of it first and stores nothing
 * when any part is refused; images are checked and stored by src/branding.
 */

/** Characters of an organisation name, per language. */
export const maxOrganisationLength = 200;

/** What the profile forms send: names and accent as typed, an uploaded image, and what to remove. */
export interface BrandingInput {
  organisation: { en?: string; ja?: string };
  /** `#rrggbb` (or `#rgb`); empty for none. */
  accent: string;
  logo?: Buffer;
  removeLogo?: boolean;
  cover?: Buffer;
  removeCover?: boolean;
}

/** The texts and accent checked; problems by field (locale keys) and the accent's ratio when too low. */
function checkTexts(input: BrandingInput): {
  organisation: Texts;
  accent: string | null;
  fields: Record<string, string>;
  params: Record<string, unknown>;
} {
  const organisation: Texts = {};
  const fields: Record<string, string> = {};
  const params: Record<string, unknown> = {};
  for (const lang of ['en', 'ja'] as const) {
    const text = (input.organisation[lang] ?? '').replace(/\s+/g, ' ').trim();
    if (Array.from(text).length > maxOrganisationLength)
      fields[`organisation.${lang}`] = 'validation:tooLong';
    if (text) organisation[lang] = text;
  }
  let accent: string | null = null;
  if (input.accent.trim()) {
    const check = checkAccent(input.accent);
    if (check.ok) accent = check.colour;
    else if (check.reason === 'format') fields.accent = 'validation:event.accentFormat';
    else {
      fields.accent = 'validation:event.accentContrast';
      params.ratio = check.ratio;
    }
  }
  return { organisation, accent, fields, params };
}

/** The texts, or `validation_failed` naming each problem; nothing is stored before this passes. */
function checkedTexts(input: BrandingInput) {
  const checked = checkTexts(input);
  if (Object.keys(checked.fields).length) {
    throw new DomainError('validation_failed', 'errors:invalidForm', checked.params, checked.fields);
  }
  return checked;
}

/** A new image when one came, none when asked to remove it, else the one there was. */
async function nextImage(
  tx: Queryable,
  kind: 'logo' | 'cover',
  upload: Buffer | undefined,
  remove: boolean | undefined,
  current: ImageRef | null,
  ctx: SaveContext,
): Promise<ImageRef | null> {
  if (upload?.length) return storeBrandingImage(tx, { kind, data: upload }, ctx);
  return remove ? null : current;
}

/** Which parts differ, for the audit entry. */
function changedParts(before: EventBranding | InstallationBranding, after: typeof before): string[] {
  return (Object.keys(after) as (keyof typeof after)[]).filter(
    (k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]),
  );
}

/** The installation's organiser profile, for its admin page. */
export function currentInstallationBranding(pool: pg.Pool): Promise<InstallationBranding> {
  return profile.installationBranding(pool);
}

/**
 * Saves the installation's organiser profile (the caller checks that the actor is an admin), with a
 * `branding.updated` audit entry naming the parts that changed. Refuses, changing nothing, a name over
 * 200 characters, an accent that is not a hex colour or reaches less than 4.5:1 against white (the
 * ratio in the error's params), and a logo that is not a PNG or safe SVG within the limits.
 */
export async function saveInstallationBranding(
  pool: pg.Pool,
  input: BrandingInput,
  ctx: SaveContext,
): Promise<InstallationBranding> {
  const { organisation, accent } = checkedTexts(input);
  return withTransaction(pool, async (tx) => {
    // One profile save at a time, so the audit entry's "before" is the row this save replaces.
    await profile.lockInstallationBranding(tx);
    const before = await profile.installationBranding(tx);
    const logo = await nextImage(tx, 'logo', input.logo, input.removeLogo, before.logo, ctx);
    const after = await profile.updateInstallationBranding(tx, { organisation, accent, logo }, ctx.now);
    await insertAuditEntry(tx, {
      actor: ctx.actor,
      userId: ctx.userId ?? null,
      action: 'branding.updated',
      data: { changed: changedParts(before, after), accent, logoId: logo?.id ?? null },
      at: ctx.now,
    });
    return after;
  });
}

/**
 * Saves an event's own branding (the caller checks the edit right), with an `event.branding_updated`
 * audit entry. Empty parts follow the installation's profile. Refuses, changing nothing, what
 * saveInstallationBranding refuses, and a cover that is not a PNG or JPEG within the limits.
 */
export async function saveEventBranding(
  pool: pg.Pool,
  eventId: number,
  input: BrandingInput,
  ctx: SaveContext,
): Promise<EventRecord> {
  const { organisation, accent } = checkedTexts(input);
  return withTransaction(pool, async (tx) => {
    const event = await q.lockedEvent(tx, eventId);
    const before = event.branding;
    const logo = await nextImage(tx, 'logo', input.logo, input.removeLogo, before.logo, ctx);
    const cover = await nextImage(tx, 'cover', input.cover, input.removeCover, before.cover, ctx);
    const after = { organisation, accent, logo, cover };
    const saved = await q.setEventBranding(tx, eventId, after, ctx.now);
    await insertAuditEntry(tx, {
      actor: ctx.actor,
      userId: ctx.userId ?? null,
      action: 'event.branding_updated',
      eventId,
      data: {
        changed: changedParts(before, after),
        accent,
        logoId: logo?.id ?? null,
        coverId: cover?.id ?? null,
      },
      at: ctx.now,
    });
    return saved;
  });
}
