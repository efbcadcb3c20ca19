import { errorResponse, filterParams, jsonBody, lang, ref, secured, slugParam } from './openapi.shared';
import { affiliations } from '../registrations';
import { messagePaths, messageSchemas } from './openapi.messages';
import { activityPaths, activitySchemas } from './openapi.activity';
import { correctionPaths } from './openapi.corrections';
import { approvalPaths } from './openapi.approval';
import { invitationPaths } from './openapi.invitations';
import { peoplePaths, peopleSchemas } from './openapi.people';
import { eventSchema, eventWithCounts, nullableString, registration } from './openapi.schemas';

/**
 * The OpenAPI 3.1 description of REST API v1, served at /api/v1/openapi.json. The event schema is
 * generated from the same zod schema that validates events, so the document cannot drift from the code;
 * the tests validate real responses against it.
 */

/** The whole document; `baseUrl` becomes its server. */
export function openApiDocument(baseUrl: string): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Tsunagaru REST API',
      version: '1.0.0',
      description:
        'Events in the event JSON shape, registrations, and exports. Authenticate with `Authorization: Bearer <token>`; tokens are created in the workspace (API tokens) or with `npm run cli -- token create`. Errors are `{ "error": { "code", "message", "fields"? } }`.',
    },
    servers: [{ url: baseUrl }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: {
        Event: eventSchema(),
        ...messageSchemas,
        ...activitySchemas,
        ...peopleSchemas,
        EventWithCounts: eventWithCounts(),
        EventChange: {
          type: 'object',
          required: ['event', 'changed', 'notified'],
          additionalProperties: false,
          properties: {
            event: ref('Event'),
            changed: { type: 'array', items: { type: 'string' } },
            notified: {
              type: 'integer',
              description: 'Registrants who will be mailed an update or cancellation',
            },
          },
        },
        Registration: registration,
        RegistrationPage: {
          type: 'object',
          required: ['data', 'nextCursor'],
          additionalProperties: false,
          properties: { data: { type: 'array', items: ref('Registration') }, nextCursor: nullableString },
        },
        RegistrationRequest: {
          type: 'object',
          required: [
            'email',
            'familyName',
            'givenName',
            'affiliation',
            'country',
            'interpretation',
            'consent',
          ],
          properties: {
            email: { type: 'string', format: 'email' },
            familyName: { type: 'string', maxLength: 100 },
            givenName: { type: 'string', maxLength: 100 },
            familyNameKana: { type: 'string', maxLength: 100 },
            givenNameKana: { type: 'string', maxLength: 100 },
            organisation: { type: 'string', maxLength: 200 },
            affiliation: { type: 'string', enum: [...affiliations] },
            country: { type: 'string', description: 'ISO 3166-1 alpha-2' },
            locale: { ...lang, description: 'Mail language; defaults to Accept-Language' },
            interpretation: lang,
            consent: { oneOf: [{ const: true }, { const: 'yes' }] },
            answers: { type: 'object', additionalProperties: true, description: 'Custom questions by id' },
          },
        },
        RegistrationReceived: {
          type: 'object',
          required: ['status', 'message'],
          additionalProperties: false,
          properties: { status: { const: 'received' }, message: { type: 'string' } },
        },
        Error: {
          type: 'object',
          required: ['error'],
          additionalProperties: false,
          properties: {
            error: {
              type: 'object',
              required: ['code', 'message'],
              additionalProperties: false,
              properties: {
                code: { type: 'string' },
                message: { type: 'string' },
                fields: { type: 'object', additionalProperties: { type: 'string' } },
              },
            },
          },
        },
      },
    },
    paths: {
      '/api/v1/events': {
        get: {
          summary: 'Events the token may see',
          security: secured,
          responses: {
            200: {
              description: 'The events',
              content: jsonBody({
                type: 'object',
                required: ['data'],
                properties: { data: { type: 'array', items: ref('EventWithCounts') } },
              }),
            },
            401: errorResponse('No valid token'),
          },
        },
        post: {
          summary: 'Create an event',
          security: secured,
          requestBody: { required: true, content: jsonBody(ref('Event')) },
          responses: {
            201: { description: 'Created', content: jsonBody(ref('Event')) },
            401: errorResponse('No valid token'),
            403: errorResponse('The account may not create events'),
            409: errorResponse('The slug is taken'),
            422: errorResponse('The event is not valid; `fields` lists each problem by JSON path'),
          },
        },
      },
      '/api/v1/events/{slug}': {
        parameters: [slugParam],
        get: {
          summary: 'One event',
          security: secured,
          responses: {
            200: { description: 'The event', content: jsonBody(ref('Event')) },
            401: errorResponse('No valid token'),
            404: errorResponse('No such event, or not visible to this token'),
          },
        },
        patch: {
          summary: 'Change an event (JSON Merge Patch, RFC 7396)',
          description:
            'A change of time, title, meeting link or status on a published event mails registrants an updated invite; `notified` says how many.',
          security: secured,
          requestBody: {
            required: true,
            content: {
              'application/merge-patch+json': { schema: { type: 'object' } },
              ...jsonBody({ type: 'object' }),
            },
          },
          responses: {
            200: { description: 'Saved', content: jsonBody(ref('EventChange')) },
            401: errorResponse('No valid token'),
            403: errorResponse('Read-only access'),
            404: errorResponse('No such event'),
            422: errorResponse('The result is not a valid event'),
          },
        },
      },
      '/api/v1/events/{slug}/cancel': {
        parameters: [slugParam],
        post: {
          summary: 'Cancel an event; registrants get the cancellation mail with a calendar CANCEL',
          security: secured,
          responses: {
            200: { description: 'Cancelled', content: jsonBody(ref('EventChange')) },
            401: errorResponse('No valid token'),
            403: errorResponse('Read-only access'),
            404: errorResponse('No such event'),
            409: errorResponse('Already cancelled, or a draft (only a published event can be cancelled)'),
          },
        },
      },
      '/api/v1/events/{slug}/zoom': {
        parameters: [slugParam],
        post: {
          summary: 'Create the event’s webinar or meeting on Zoom and link it',
          description:
            'Creates it for ZOOM_HOST with the event’s title, start, duration and time zone, registration required; confirmed registrants are then registered on Zoom in the background, each with their own join URL.',
          security: secured,
          requestBody: {
            required: true,
            content: jsonBody({
              type: 'object',
              required: ['kind'],
              additionalProperties: false,
              properties: { kind: { type: 'string', enum: ['webinar', 'meeting'] } },
            }),
          },
          responses: {
            201: {
              description: 'Created on Zoom and linked',
              content: jsonBody({
                type: 'object',
                required: ['zoom'],
                properties: {
                  zoom: {
                    type: 'object',
                    required: ['kind', 'id'],
                    properties: {
                      kind: { type: 'string', enum: ['webinar', 'meeting'] },
                      id: { type: 'string', pattern: '^[0-9]{9,12}$' },
                    },
                  },
                },
              }),
            },
            401: errorResponse('No valid token'),
            403: errorResponse('Read-only access'),
            404: errorResponse('No such event'),
            409: errorResponse('Already linked to Zoom, or Zoom is not configured'),
            422: errorResponse('`kind` is not webinar or meeting, or Zoom refused (its message is given)'),
            503: errorResponse('Zoom cannot be reached; try again later'),
          },
        },
      },
      '/api/v1/events/{slug}/registrations': {
        parameters: [slugParam],
        get: {
          summary: 'Registrations, oldest first, with cursor pagination',
          security: secured,
          parameters: [
            ...filterParams,
            { name: 'cursor', in: 'query', schema: { type: 'string' } },
            {
              name: 'limit',
              in: 'query',
              schema: { type: 'integer', minimum: 1, maximum: 500, default: 100 },
            },
          ],
          responses: {
            200: { description: 'One page', content: jsonBody(ref('RegistrationPage')) },
            401: errorResponse('No valid token'),
            404: errorResponse('No such event'),
            422: errorResponse('A filter or the cursor is not valid'),
          },
        },
        post: {
          summary: 'Register (public, no token): the same fields and rules as the registration form',
          description:
            'Confirmed, waiting list and already registered get the same answer; the e-mail tells the registrant which. CORS is open for this endpoint.',
          security: [],
          requestBody: { required: true, content: jsonBody(ref('RegistrationRequest')) },
          responses: {
            202: { description: 'Received', content: jsonBody(ref('RegistrationReceived')) },
            404: errorResponse('No such published event'),
            409: errorResponse('Registration is closed, not open yet, the event is full or cancelled'),
            422: errorResponse('Invalid fields'),
            429: errorResponse('Too many registrations from this address'),
          },
        },
      },
      '/api/v1/events/{slug}/registrations/export': {
        parameters: [slugParam],
        get: {
          summary: 'Export registrations (streamed)',
          security: secured,
          parameters: [
            {
              name: 'format',
              in: 'query',
              required: true,
              schema: { type: 'string', enum: ['csv', 'excel-csv', 'xlsx', 'json'] },
            },
            { name: 'lang', in: 'query', schema: lang, description: 'Header row language' },
            ...filterParams,
          ],
          responses: {
            200: {
              description: 'The file',
              content: {
                'text/csv': { schema: { type: 'string' } },
                'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': {
                  schema: { type: 'string', contentMediaType: 'application/octet-stream' },
                },
                'application/json': { schema: { type: 'array', items: ref('Registration') } },
              },
            },
            401: errorResponse('No valid token'),
            404: errorResponse('No such event'),
            422: errorResponse('Unknown format or invalid filter'),
          },
        },
      },
      ...messagePaths,
      ...activityPaths,
      ...correctionPaths,
      ...approvalPaths,
      ...invitationPaths,
      ...peoplePaths,
      '/api/v1/openapi.json': {
        get: { summary: 'This document', security: [], responses: { 200: { description: 'OpenAPI 3.1' } } },
      },
    },
  };
}
