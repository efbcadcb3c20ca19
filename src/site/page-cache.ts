import crypto from 'node:crypto';

/**
 * Rendered public event pages, kept in this web process so that a busy page (an announcement just went
 * out, everyone opens the link) is not read from the database and rendered again for every visitor.
 *
 * An entry is served as it is for `ttlMs` (a second by default: several web processes, each with its
 * own cache, agree again that quickly after an organiser's edit or when the last seat goes). After that
 * the next visitor's request reads the event and its seat state again; when its fingerprint (the
 * event's revision and last change, the seat state, the registration window's state) is what the page
 * was rendered from, the HTML is reused without rendering, else rendered anew. However unchanged the
 * event, a page is never older than `maxAgeMs`, so the embedded form's token (valid two hours, per
 * event, src/http/form-token.ts) is always fresh enough.
 *
 * Nothing personal is kept: the page is rendered with `csrfPlaceholder` where the visitor's own CSRF
 * token goes, and `personalise` puts each visitor's token in at send time. Cookies are set by the
 * middleware of each request, never from here. Pages opened from an invitation link (prefilled with
 * the invitee's details) are never cached.
 */
export class RenderedPages {
  /** Stands in for the visitor's CSRF token in a cached page: random, so no event text can contain it. */
  readonly csrfPlaceholder = `csrf-${crypto.randomBytes(12).toString('hex')}`;
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly opts: { ttlMs: number; maxAgeMs?: number; maxEntries?: number }) {}

  /** Whether pages are cached at all (a TTL of 0 turns the cache off). */
  get enabled(): boolean {
    return this.opts.ttlMs > 0;
  }

  /** The page for `key` while it is fresh at `nowMs`, without asking the database. */
  fresh(key: string, nowMs: number): CachedPage | undefined {
    const entry = this.entries.get(key);
    return entry && nowMs < entry.checkedAt + this.opts.ttlMs ? entry : undefined;
  }

  /**
   * The page for `key` when it was rendered from `fingerprint` and is not too old; it is then fresh
   * again for another `ttlMs`.
   */
  reusable(key: string, fingerprint: string, nowMs: number): CachedPage | undefined {
    const entry = this.entries.get(key);
    if (!entry || entry.fingerprint !== fingerprint) return undefined;
    if (nowMs >= entry.renderedAt + (this.opts.maxAgeMs ?? 60_000)) return undefined;
    entry.checkedAt = nowMs;
    return entry;
  }

  /** Keeps a freshly rendered page; the oldest entry goes when the cache is full. */
  put(key: string, fingerprint: string, html: string, nowMs: number): CachedPage {
    this.entries.delete(key);
    if (this.entries.size >= (this.opts.maxEntries ?? 500)) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    // Kept as bytes around the placeholder: sending it joins buffers instead of encoding 25 kB again.
    const parts = html.split(this.csrfPlaceholder).map((part) => Buffer.from(part));
    // What was rendered, not when or where: the same page from another web process, or after a restart,
    // has the same digest, and a different page never shares one (so a 304 is never a stale page).
    const digest = crypto.createHash('sha256').update(html).digest('base64url').slice(0, 22);
    const entry = { parts, digest, fingerprint, renderedAt: nowMs, checkedAt: nowMs };
    this.entries.set(key, entry);
    return entry;
  }

  /** The cached page with this visitor's CSRF token in place of the placeholder. */
  personalise(page: CachedPage, csrfToken: string): Buffer {
    const token = Buffer.from(csrfToken);
    return Buffer.concat(page.parts.flatMap((part, i) => (i === 0 ? [part] : [token, part])));
  }

  /**
   * A weak ETag for the page as one visitor gets it (a digest of the rendering, taken once when it was
   * kept, and one of their token), so Express need not hash the whole body of every response.
   */
  etag(page: CachedPage, csrfToken: string): string {
    const visitor = crypto.createHash('sha256').update(csrfToken).digest('base64url').slice(0, 16);
    return `W/"${page.digest}-${visitor}"`;
  }
}

/** One rendered page: its bytes split where each visitor's CSRF token goes. */
export interface CachedPage {
  readonly parts: readonly Buffer[];
  /** A digest of the rendered page (for the ETag). */
  readonly digest: string;
}

interface Entry extends CachedPage {
  fingerprint: string;
  renderedAt: number;
  checkedAt: number;
}
