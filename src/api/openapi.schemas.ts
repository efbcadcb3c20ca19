import { z } from 'zod';
import { eventInputSchema } from '../events/events.schemas';
import { affiliations, registrationStatuses } from '../registrations';
import { lang } from './openapi.shared';

/** The OpenAPI schemas of the event document (generated from its zod schema) and of a registration. */

/** JSON Schema (2020-12) for the event document, as the API accepts and returns it. */
export function eventSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(eventInputSchema, { io: 'input', unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  delete schema.$schema;
  // zod spells out its date-time check as a long regular expression; `format` says the same thing.
  return JSON.parse(JSON.stringify(schema), (_k, v: unknown) => {
    if (
      v &&
      typeof v === 'object' &&
      !Array.isArray(v) &&
      (v as { format?: string }).format === 'date-time'
    ) {
      return Object.fromEntries(Object.entries(v).filter(([key]) => key !== 'pattern'));
    }
    return v;
  }) as Record<string, unknown>;
}

/** The event document plus its registration counts, as GET /api/v1/events lists it. */
export function eventWithCounts(): Record<string, unknown> {
  const event = eventSchema() as { properties: Record<string, unknown> };
  const count = { type: 'integer', minimum: 0 };
  return {
    ...event,
    properties: {
      ...event.properties,
      registrations: {
        type: 'object',
        additionalProperties: false,
        required: ['confirmed', 'waitlisted', 'cancelled', 'pending', 'declined'],
        properties: {
          confirmed: count,
          waitlisted: count,
          cancelled: count,
          pending: { ...count, description: "Awaiting the organisers' approval (holding no seat)" },
          declined: count,
        },
      },
    },
  };
}

export const nullableString = { type: ['string', 'null'] };

/** One registration as the API lists and exports it. */
export const registration = {
  type: 'object',
  additionalProperties: false,
  required: [
    'id',
    'registeredAt',
    'status',
    'familyName',
    'givenName',
    'email',
    'affiliation',
    'country',
    'locale',
    'interpretation',
    'answers',
    'firstJoinedAt',
  ],
  properties: {
    id: { type: 'integer' },
    registeredAt: { type: 'string', format: 'date-time', description: "ISO 8601 in the event's time zone" },
    status: { type: 'string', enum: [...registrationStatuses] },
    familyName: { type: 'string' },
    givenName: { type: 'string' },
    familyNameKana: nullableString,
    givenNameKana: nullableString,
    email: { type: 'string' },
    organisation: nullableString,
    affiliation: { type: 'string', enum: [...affiliations] },
    country: { type: 'string', pattern: '^[A-Z]{2}$' },
    locale: { ...lang, description: 'Mail language' },
    interpretation: lang,
    answers: {
      type: 'object',
      description: 'Answers to the custom questions by question id',
      additionalProperties: { oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
    },
    firstJoinedAt: { type: ['string', 'null'], format: 'date-time' },
    attended: {
      type: 'boolean',
      description:
        'Events on Zoom only: at least attendanceMinutes on Zoom when the event has Zoom data, else a join-link click from 30 minutes before the start to the end',
    },
    minutesAttended: {
      type: ['integer', 'null'],
      description: 'Minutes on Zoom (events linked to Zoom only)',
    },
  },
};
