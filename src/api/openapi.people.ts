import { errorResponse, jsonBody, ref, secured } from './openapi.shared';

/** A person's requests (access and erasure, admins only) in the OpenAPI document: schemas and paths. */

const dateTime = { type: 'string', format: 'date-time' };
const nullableDateTime = { type: ['string', 'null'], format: 'date-time' };

export const peopleSchemas = {
  PersonData: {
    type: 'object',
    required: ['email', 'registrations', 'mails', 'auditEntries', 'zoom', 'invitations'],
    properties: {
      email: { type: 'string' },
      registrations: {
        type: 'array',
        description: 'Every registration with this address, in every event, with the answers',
        items: {
          type: 'object',
          required: [
            'id',
            'eventId',
            'event',
            'status',
            'email',
            'familyName',
            'givenName',
            'answers',
            'createdAt',
          ],
          properties: {
            id: { type: 'integer' },
            eventId: { type: 'integer' },
            event: {
              type: 'object',
              required: ['slug', 'title', 'timezone'],
              properties: {
                slug: { type: 'string' },
                title: { type: 'object' },
                timezone: { type: 'string', description: "The event's IANA time zone." },
              },
            },
            status: { type: 'string', enum: ['confirmed', 'waitlisted', 'cancelled'] },
            email: { type: 'string' },
            familyName: { type: 'string' },
            givenName: { type: 'string' },
            answers: { type: 'object' },
            createdAt: dateTime,
            cancelledAt: nullableDateTime,
          },
        },
      },
      mails: {
        type: 'array',
        description: 'Every mail to the address or about its registrations',
        items: {
          type: 'object',
          required: ['id', 'kind', 'status', 'recipient', 'createdAt'],
          properties: {
            id: { type: 'integer' },
            eventId: { type: ['integer', 'null'] },
            registrationId: { type: ['integer', 'null'] },
            kind: { type: 'string' },
            status: { type: 'string' },
            recipient: { type: 'string' },
            subject: { type: ['string', 'null'] },
            createdAt: dateTime,
            sentAt: nullableDateTime,
          },
        },
      },
      auditEntries: {
        type: 'array',
        description: 'Audit entries about its registrations or naming the address',
        items: {
          type: 'object',
          required: ['id', 'occurredAt', 'actor', 'action', 'data'],
          properties: {
            id: { type: 'integer' },
            occurredAt: dateTime,
            actor: { type: 'string' },
            action: { type: 'string' },
            eventId: { type: ['integer', 'null'] },
            registrationId: { type: ['integer', 'null'] },
            data: { type: 'object' },
          },
        },
      },
      zoom: {
        type: 'array',
        description: 'Zoom registrant rows of its registrations',
        items: {
          type: 'object',
          required: ['registrationId', 'state'],
          properties: {
            registrationId: { type: 'integer' },
            state: { type: 'string' },
            joinUrl: { type: ['string', 'null'] },
            minutes: { type: ['integer', 'null'] },
          },
        },
      },
      invitations: {
        type: 'array',
        description: "Where the address is on an event's invitation list",
        items: {
          type: 'object',
          required: ['id', 'eventId', 'email', 'locale'],
          properties: {
            id: { type: 'integer' },
            eventId: { type: 'integer' },
            email: { type: 'string' },
            familyName: { type: 'string' },
            givenName: { type: 'string' },
            organisation: { type: 'string' },
            locale: { type: 'string', enum: ['en', 'ja'] },
            createdAt: dateTime,
            invitedAt: nullableDateTime,
            registrationId: { type: ['integer', 'null'] },
            unsubscribedAt: nullableDateTime,
          },
        },
      },
    },
  },
  ErasureSummary: {
    type: 'object',
    additionalProperties: false,
    required: ['registrations', 'events', 'mails', 'cancelledMails', 'auditEntries', 'invitees', 'files'],
    properties: {
      registrations: { type: 'integer', description: 'Registrations erased (their status stays for counts)' },
      events: { type: 'array', items: { type: 'string' }, description: 'Slugs of their events' },
      mails: { type: 'integer' },
      cancelledMails: { type: 'integer', description: 'Mails not yet sent that will not be' },
      auditEntries: { type: 'integer', description: 'Audit entries scrubbed' },
      invitees: {
        type: 'integer',
        description: 'Invitation list entries removed, with their links and mails',
      },
      files: { type: 'integer', description: 'Mail files deleted from DATA_DIR/outbox' },
    },
  },
};

const refused = {
  400: errorResponse('Not an e-mail address (message in the Accept-Language language)'),
  401: errorResponse('No valid token'),
  403: errorResponse("The token's account is not an admin"),
};

export const peoplePaths = {
  '/api/v1/people': {
    get: {
      summary: 'Everything held about one e-mail address, in every event (an access request; admins only)',
      security: secured,
      parameters: [
        { name: 'email', in: 'query', required: true, schema: { type: 'string', format: 'email' } },
      ],
      responses: {
        200: { description: 'What is held', content: jsonBody(ref('PersonData')) },
        ...refused,
      },
    },
  },
  '/api/v1/people/erase': {
    post: {
      summary:
        'Erases everything held about one e-mail address at once (an erasure request; admins only): registrations, answers, mails and their files, links, audit details, Zoom registrants. Counts stay.',
      security: secured,
      requestBody: {
        required: true,
        content: jsonBody({
          type: 'object',
          required: ['email'],
          properties: { email: { type: 'string', format: 'email' } },
        }),
      },
      responses: {
        200: {
          description: 'What was erased (the address itself is not recorded)',
          content: jsonBody({
            type: 'object',
            required: ['erased'],
            properties: { erased: ref('ErasureSummary') },
          }),
        },
        ...refused,
      },
    },
  },
};
