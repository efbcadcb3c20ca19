import type pg from 'pg';
import { followJoinLink, type JoinOutcome, type LinkPurpose } from '../registrations';
import { zoomRegistrantOf } from './zoom.queries';

/**
 * Follows a personal join link: the registrations domain decides whether the registrant may join now
 * (and counts the click); when they may, they go to their own Zoom join URL if Zoom gave them one, else
 * to the event's meeting link as before (sync not done yet, or refused for good).
 */
export async function followJoinLinkToZoom(
  pool: pg.Pool,
  req: { token: string; purpose: LinkPurpose; now: Date; record: boolean },
): Promise<JoinOutcome> {
  return followJoinLink(pool, req, async (registrationId) => {
    const zoom = await zoomRegistrantOf(pool, registrationId);
    return zoom?.state === 'registered' ? zoom.joinUrl : null;
  });
}

/**
 * The registrant's own Zoom join URL, if known; `settled` says whether waiting longer could help
 * (false while the sync is still to run or retrying). For the confirmation mail.
 */
export async function personalZoomLink(
  db: Parameters<typeof zoomRegistrantOf>[0],
  registrationId: number,
): Promise<{ joinUrl: string | null; settled: boolean }> {
  const row = await zoomRegistrantOf(db, registrationId);
  if (!row) return { joinUrl: null, settled: false };
  if (row.state === 'registered') return { joinUrl: row.joinUrl, settled: true };
  // A cancelled row of a registration that is confirmed again is about to be reinstated by the sync.
  return { joinUrl: null, settled: row.state === 'failed' };
}
