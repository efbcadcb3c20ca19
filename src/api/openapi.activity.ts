import { errorResponse, jsonBody, lang, ref, secured, slugParam } from './openapi.shared';

/** An event's activity (its audit trail in words) in the OpenAPI document: schemas and paths. */

export const activitySchemas = {
  ActivityChange: {
    type: 'object',
    additionalProperties: false,
    required: ['field', 'label', 'text'],
    properties: {
      field: { type: 'string', description: 'The stored key, e.g. `title` or `previousStatus`' },
      label: { type: 'string', description: "The field's name in the asked language" },
      before: { type: 'string' },
      after: { type: 'string' },
      text: { type: 'string', description: '"label: before → after", or "label: value" for a recorded fact' },
    },
  },
  ActivityEntry: {
    type: 'object',
    additionalProperties: false,
    required: [
      'id',
      'occurredAt',
      'when',
      'action',
      'actionLabel',
      'actor',
      'actorLabel',
      'registrationId',
      'registrantName',
      'changes',
    ],
    properties: {
      id: { type: 'integer' },
      occurredAt: { type: 'string', format: 'date-time' },
      when: { type: 'string', description: "The instant in the event's time zone, in the asked language" },
      action: { type: 'string', description: 'The stored code, e.g. `registration.cancelled`' },
      actionLabel: { type: 'string' },
      actor: { type: 'string', description: 'The stored actor label' },
      actorLabel: { type: 'string', description: 'Who acted, by name' },
      registrationId: { type: ['integer', 'null'] },
      registrantName: { type: ['string', 'null'] },
      changes: { type: 'array', items: ref('ActivityChange') },
    },
  },
};

export const activityPaths = {
  '/api/v1/events/{slug}/activity': {
    parameters: [slugParam],
    get: {
      summary: "The event's activity, newest first, in words (the workspace's Activity tab)",
      security: secured,
      parameters: [
        {
          name: 'lang',
          in: 'query',
          schema: lang,
          description: 'Language of the words (default: Accept-Language, else en)',
        },
        {
          name: 'registration',
          in: 'query',
          schema: { type: 'integer', minimum: 1 },
          description: "Only one registration's entries",
        },
        { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 500, default: 100 } },
      ],
      responses: {
        200: {
          description: 'The entries',
          content: jsonBody({
            type: 'object',
            required: ['data'],
            properties: { data: { type: 'array', items: ref('ActivityEntry') } },
          }),
        },
        401: errorResponse('No valid token'),
        404: errorResponse('No such event'),
        422: errorResponse('Invalid language, registration or limit'),
      },
    },
  },
};
