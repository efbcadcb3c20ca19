import { errorResponse, filterParams, jsonBody, ref, secured, slugParam } from './openapi.shared';

/** The organiser's messages in the OpenAPI document: schemas and paths. */

const bilingual = {
  type: 'object',
  required: ['en', 'ja'],
  additionalProperties: false,
  properties: { en: { type: 'string', minLength: 1 }, ja: { type: 'string', minLength: 1 } },
};

const count = { type: 'integer', minimum: 0 };

export const messageSchemas = {
  MessageRequest: {
    type: 'object',
    required: ['subject', 'body'],
    properties: {
      subject: { ...bilingual, description: 'Both languages are required' },
      body: {
        ...bilingual,
        description: 'Plain text; blank lines separate paragraphs, links become clickable',
      },
      filters: {
        type: 'object',
        description:
          'The registration list filters (q, status, affiliation, country, language, interpretation, joined); none = every live registrant. Cancelled and unsubscribed registrants never receive messages.',
      },
    },
  },
  Message: {
    type: 'object',
    additionalProperties: false,
    required: [
      'id',
      'subject',
      'body',
      'filters',
      'expected',
      'recipients',
      'sentBy',
      'createdAt',
      'queuedAt',
      'progress',
    ],
    properties: {
      id: { type: 'integer' },
      subject: bilingual,
      body: bilingual,
      filters: { type: 'object' },
      expected: { ...count, description: 'Recipients counted when it was sent' },
      recipients: { type: ['integer', 'null'], description: 'Mails written, once all are (see queuedAt)' },
      sentBy: { type: 'string' },
      createdAt: { type: 'string', format: 'date-time' },
      queuedAt: { type: ['string', 'null'], format: 'date-time' },
      progress: {
        type: 'object',
        additionalProperties: false,
        required: ['queued', 'sent', 'failed', 'skipped'],
        properties: { queued: count, sent: count, failed: count, skipped: count },
      },
    },
  },
};

export const messagePaths = {
  '/api/v1/events/{slug}/messages': {
    parameters: [slugParam],
    get: {
      summary: "The event's messages, newest first, with their progress",
      security: secured,
      responses: {
        200: {
          description: 'The messages',
          content: jsonBody({
            type: 'object',
            required: ['data'],
            properties: { data: { type: 'array', items: ref('Message') } },
          }),
        },
        401: errorResponse('No valid token'),
        404: errorResponse('No such event'),
      },
    },
    post: {
      summary:
        'Send a message to all or some registrants (each in their mail language, with List-Unsubscribe)',
      security: secured,
      parameters: [
        {
          name: 'Idempotency-Key',
          in: 'header',
          schema: { type: 'string', maxLength: 100 },
          description: 'Sending again with the same key answers with the first message and sends nothing',
        },
      ],
      requestBody: { required: true, content: jsonBody(ref('MessageRequest')) },
      responses: {
        202: {
          description: 'Accepted; the mails go out in the background',
          content: jsonBody(ref('Message')),
        },
        401: errorResponse('No valid token'),
        403: errorResponse('Read-only access'),
        404: errorResponse('No such event'),
        422: errorResponse('A language is missing, a filter is invalid, or nobody would receive it'),
      },
    },
  },
  '/api/v1/events/{slug}/messages/recipients': {
    parameters: [slugParam],
    get: {
      summary: 'How many registrants a message with these filters would reach now',
      security: secured,
      parameters: filterParams,
      responses: {
        200: {
          description: 'The count',
          content: jsonBody({
            type: 'object',
            required: ['recipients'],
            additionalProperties: false,
            properties: { recipients: count },
          }),
        },
        401: errorResponse('No valid token'),
        404: errorResponse('No such event'),
        422: errorResponse('A filter is not valid'),
      },
    },
  },
  '/api/v1/events/{slug}/messages/{id}': {
    parameters: [slugParam, { name: 'id', in: 'path', required: true, schema: { type: 'integer' } }],
    get: {
      summary: 'One message and its progress',
      security: secured,
      responses: {
        200: { description: 'The message', content: jsonBody(ref('Message')) },
        401: errorResponse('No valid token'),
        404: errorResponse('No such event or message'),
      },
    },
  },
};
