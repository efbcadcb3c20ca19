import type pg from 'pg';
import { readableEntries } from '../audit';
import { eventView, pickText, type EventRecord } from '../events';
import { tFor, type Language } from '../i18n';
import { parseSkipNote } from '../outbox';
import {
  correctionValues,
  countryOptions,
  displayName,
  formView,
  exportFormats,
  parseRegistrationFilters,
  parseSort,
  registrationBreakdowns,
  registrationCounts,
  registrationDetail,
  registrationPage,
  registrationsPerDay,
  registrationStatuses,
  affiliations,
  type RegistrationFilters,
  type Registration,
  type RegistrationSort,
} from '../registrations';
import { formatInstant } from '../time';
import { buildCharts } from './charts';
import { zoomRegistrantOf } from '../zoom';

/**
 * What the event's overview, its attendee list and an attendee's page show, worked out here so the
 * templates only print: labels in the page language, instants in the event's zone, and every link
 * (sorting, pages, exports) already carrying the current filters. Reads through the registrations
 * domain only; no SQL, no HTTP.
 */

/** Rows per page of the attendee list. */
export const attendeesPerPage = 50;

const sortColumns: RegistrationSort[] = ['name', 'email', 'organisation', 'country', 'status', 'registered'];

/** Filters as query-string values again (what the form fields hold and the links carry). */
function filterValues(f: RegistrationFilters): Record<string, string> {
  const joined = f.joined === undefined ? '' : f.joined ? 'yes' : 'no';
  return {
    q: f.q ?? '',
    status: f.status ?? '',
    affiliation: f.affiliation ?? '',
    country: f.country ?? '',
    language: f.language ?? '',
    interpretation: f.interpretation ?? '',
    joined,
  };
}

/** `path` with the filters (empty ones left out) and `extra` as its query string. */
function hrefWith(path: string, filters: RegistrationFilters, extra: Record<string, string | number> = {}) {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...filterValues(filters), ...extra })) {
    if (v !== '') params.set(k, String(v));
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

/** The export links for the filters: Excel CSV first, since that is the one to open in Excel in Japan. */
function exportLinks(slug: string, filters: RegistrationFilters) {
  const base = `/admin/events/${encodeURIComponent(slug)}/attendees/export`;
  const order = ['excel-csv', ...exportFormats.filter((f) => f !== 'excel-csv')];
  return order.map((format) => ({ format, href: hrefWith(base, filters, { format }) }));
}

function countryName(code: string, lang: Language): string {
  try {
    return new Intl.DisplayNames([lang], { type: 'region' }).of(code) ?? code;
  } catch {
    return code;
  }
}

/** The labels a registration's coded fields read as in `lang`. */
function rowLabels(r: Registration, lang: Language) {
  const t = tFor(lang);
  return {
    // An erased registration keeps its place in the counts, under a word rather than a blank.
    name: r.erasedAt ? t('attendees:erased') : displayName(r),
    kana: [r.familyNameKana, r.givenNameKana].filter(Boolean).join(' '),
    affiliationLabel: t(`registrations:form.affiliations.${r.affiliation}`, { defaultValue: r.affiliation }),
    countryLabel: countryName(r.country, lang),
    localeLabel: t(`registrations:form.languages.${r.locale}`),
    interpretationLabel: t(`registrations:form.languages.${r.interpretation}`),
  };
}

/** The overview: the event's facts, its counts, its charts and the export links. */
export async function eventOverviewPage(
  pool: pg.Pool,
  event: EventRecord,
  lang: Language,
  now: Date,
  baseUrl: string,
) {
  const [counts, perDay, breakdowns] = await Promise.all([
    registrationCounts(pool, event.id, {}),
    registrationsPerDay(pool, event.id, event.timezone),
    registrationBreakdowns(pool, event.id),
  ]);
  return {
    view: eventView(event, lang, now),
    publicUrl: `${baseUrl}/events/${encodeURIComponent(event.slug)}`,
    counts,
    seatsLeft: event.capacity === null ? null : Math.max(0, event.capacity - counts.confirmed),
    charts: buildCharts(perDay, breakdowns, lang, { timeZone: event.timezone }),
    exports: exportLinks(event.slug, {}),
    attendeesHref: `/admin/events/${encodeURIComponent(event.slug)}/attendees`,
  };
}

/** Page numbers to link to: the first, the last, and two either side of the current one; null is a gap. */
export function pageNumbers(page: number, pages: number): (number | null)[] {
  const out: (number | null)[] = [];
  for (let n = 1; n <= pages; n++) {
    if (n === 1 || n === pages || Math.abs(n - page) <= 2) out.push(n);
    else if (out[out.length - 1] !== null) out.push(null);
  }
  return out;
}

/** What the attendee list reads from its query string: filters, sort and the page asked for. */
export interface AttendeeQuery {
  filters: RegistrationFilters;
  sort: RegistrationSort;
  dir: 'asc' | 'desc';
  page: number;
}

/**
 * Reads the attendee list's query string (for `validate`): an invalid filter or sort is
 * `validation_failed` with the field's locale key.
 */
export function attendeeQuery(raw: unknown): AttendeeQuery {
  const query = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
  const filters = parseRegistrationFilters(query);
  const { sort, dir } = parseSort(query);
  return { filters, sort, dir, page: Number(typeof query.page === 'string' ? query.page : 1) };
}

/** The attendee list: one page of rows, the counts, and the links that keep the filters. */
export async function attendeeListPage(
  pool: pg.Pool,
  event: EventRecord,
  query: AttendeeQuery,
  lang: Language,
) {
  const t = tFor(lang);
  const { filters, sort, dir, page: requested } = query;
  const [result, counts] = await Promise.all([
    registrationPage(pool, event.id, filters, { sort, dir, page: requested, perPage: attendeesPerPage }),
    registrationCounts(pool, event.id, filters),
  ]);
  const path = `/admin/events/${encodeURIComponent(event.slug)}/attendees`;
  const sorted = { sort, dir };
  const columns = sortColumns.map((key) => {
    const current = key === sort;
    const next = current ? (dir === 'asc' ? 'desc' : 'asc') : key === 'registered' ? 'desc' : 'asc';
    return {
      key,
      label: t(`attendees:columns.${key}`),
      href: hrefWith(path, filters, { sort: key, dir: next }),
      ariaSort: current ? (dir === 'asc' ? 'ascending' : 'descending') : null,
    };
  });
  const pageHref = (n: number) => hrefWith(path, filters, { ...sorted, page: n });
  return {
    values: filterValues(filters),
    filtered: Object.keys(filters).length > 0,
    sort: sorted,
    columns,
    rows: result.rows.map((r) => ({
      ...r,
      ...rowLabels(r, lang),
      href: `${path}/${r.id}`,
      registeredLabel: formatInstant(r.createdAt, [event.timezone], lang),
    })),
    counts: {
      ...counts,
      all: counts.confirmed + counts.waitlisted + counts.cancelled + counts.pending + counts.declined,
    },
    page: result.page,
    pages: result.pages,
    pageLinks: pageNumbers(result.page, result.pages).map((n) => n && { n, href: pageHref(n) }),
    prevHref: result.page > 1 ? pageHref(result.page - 1) : null,
    nextHref: result.page < result.pages ? pageHref(result.page + 1) : null,
    exports: exportLinks(event.slug, filters),
    clearHref: path,
    /** This page's own query (filters, sort, page), for a form that comes back to it. */
    selfQuery: hrefWith('', filters, { ...sorted, page: result.page }),
    options: {
      statuses: registrationStatuses,
      affiliations: affiliations.map((a) => ({ value: a, label: t(`registrations:form.affiliations.${a}`) })),
      countries: countryOptions(lang),
    },
  };
}

/** An answer to one of the event's questions, with the question's label and the options' labels. */
function answerRows(event: EventRecord, answers: Record<string, string | string[]>, lang: Language) {
  const rows = event.questions.map((q) => {
    const given = [answers[q.id] ?? []].flat();
    const labelOf = (v: string) =>
      pickText(q.options.find((o) => o.value === v)?.label ?? {}, lang)?.text ?? v;
    const value = q.type === 'text' ? given.join('') : given.map(labelOf).join(', ');
    return { label: pickText(q.label, lang)?.text ?? q.id, value };
  });
  // Answers to questions removed since keep their id as label, so nothing the registrant said is hidden.
  const known = new Set(event.questions.map((q) => q.id));
  for (const [id, v] of Object.entries(answers)) {
    if (!known.has(id)) rows.push({ label: id, value: [v].flat().join(', ') });
  }
  return rows;
}

/** One registration with its answers, times (in the event's zone), mails and audit trail. */
export async function attendeeDetailPage(pool: pg.Pool, event: EventRecord, id: number, lang: Language) {
  const detail = await registrationDetail(pool, event.id, id);
  const r = detail.registration;
  const when = (d: Date | null) => (d ? formatInstant(d, [event.timezone], lang) : null);
  return {
    registration: {
      ...r,
      ...rowLabels(r, lang),
      registeredLabel: when(r.createdAt),
      cancelledLabel: when(r.cancelledAt),
      promotedLabel: when(r.promotedAt),
      firstJoinedLabel: when(r.firstJoinedAt),
      lastJoinedLabel: when(r.lastJoinedAt),
      unsubscribedLabel: when(r.unsubscribedAt),
    },
    answers: answerRows(event, r.answers, lang),
    mails: detail.mails.map((m) => ({
      ...m,
      lastError: mailNote(m.lastError, lang),
      createdLabel: when(m.createdAt),
      sentLabel: when(m.sentAt),
      createdIso: m.createdAt.toISOString(),
    })),
    audit: readableEntries(detail.audit, {
      lang,
      timeZone: event.timezone,
      registrantNames: new Map([[r.id, displayName(r)]]),
    }).map((e) => ({ ...e, whenIso: e.occurredAt.toISOString() })),
    details: formView(event, lang, 'open', correctionValues(r)),
    zoom: event.zoom ? ((await zoomRegistrantOf(pool, r.id)) ?? null) : null,
    listHref: `/admin/events/${encodeURIComponent(event.slug)}/attendees`,
    actionBase: `/admin/events/${encodeURIComponent(event.slug)}/attendees/${r.id}`,
    timeZone: event.timezone,
  };
}

/**
 * A mail's note in `lang`: a skip reason (stored as a code) in words, or a mail server's answer as it
 * came. Notes from before reasons were codes were mapped to codes by a migration.
 */
function mailNote(note: string | null, lang: Language): string | null {
  const parsed = note ? parseSkipNote(note) : undefined;
  if (!parsed) return note;
  const t = tFor(lang);
  const detail =
    parsed.reason === 'replaced' && parsed.detail
      ? t(`attendees:mails.kinds.${parsed.detail}`, { defaultValue: parsed.detail })
      : parsed.detail;
  return t(`attendees:mails.reasons.${parsed.reason}`, { detail });
}
