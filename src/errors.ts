/**
 * The one error type domain code throws. It carries a stable code and a locale key (never an HTTP
 * status or a sentence), so the same failure reads correctly in English and Japanese on a page, in the
 * API and in the CLI.
 */
export class DomainError extends Error {
  constructor(
    readonly code: string,
    readonly i18nKey: string,
    readonly params: Record<string, unknown> = {},
    /** Field-level problems (field name -> locale key), for forms and the API. */
    readonly fields: Record<string, string> = {},
  ) {
    super(code);
    this.name = 'DomainError';
  }
}

/** Codes a client may rely on, mapped to the HTTP status the error middleware answers with. */
export const httpStatusFor: Record<string, number> = {
  not_found: 404,
  validation_failed: 422,
  registration_closed: 409,
  registration_not_open: 409,
  event_full: 409,
  event_cancelled: 409,
  csrf_failed: 403,
  rate_limited: 429,
  unauthorized: 401,
  login_failed: 401,
  login_locked: 429,
  forbidden: 403,
  account_exists: 409,
  last_admin: 409,
  link_invalid: 404,
  conflict: 409,
  slug_taken: 409,
  zoom_not_configured: 409,
  zoom_linked: 409,
  zoom_refused: 422,
  zoom_unavailable: 503,
};
