import { errorResponse, jsonBody, lang, secured, slugParam } from './openapi.shared';

/** Invitations (invitees from a contact list, their mails and reminders) in the OpenAPI document. */

const skipReasons = [
  'badAddress',
  'badText',
  'duplicateInFile',
  'alreadyInvited',
  'alreadyRegistered',
  'unsubscribed',
];

const importedRow = {
  type: 'object',
  required: ['index', 'email', 'language'],
  properties: {
    index: { type: 'integer', description: 'Position in the posted array, from 0' },
    email: { type: 'string' },
    language: lang,
    languageDefaulted: {
      type: 'boolean',
      description:
        "No known language given: the event's first language (of its title, English first) is used",
    },
    reason: { type: 'string', enum: skipReasons, description: 'Skipped rows only: why' },
  },
};

const sendResult = (extra: Record<string, object> = {}) =>
  jsonBody({
    type: 'object',
    required: ['sent', ...Object.keys(extra)],
    properties: { sent: { type: 'integer', description: 'Mails queued now' }, ...extra },
  });

const common = {
  401: errorResponse('No valid token'),
  403: errorResponse('The token may only read this event'),
  404: errorResponse('No such event'),
};

export const invitationPaths = {
  '/api/v1/events/{slug}/invitees': {
    parameters: [slugParam],
    get: {
      summary:
        'The invitees with their state (not_sent, invited, registered, unsubscribed) and the number the next reminder carries',
      security: secured,
      responses: {
        200: {
          description: 'The invitees, in the order they were added',
          content: jsonBody({
            type: 'object',
            required: ['invitees', 'nextReminder'],
            properties: {
              nextReminder: { type: 'integer' },
              invitees: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    id: { type: 'integer' },
                    email: { type: 'string' },
                    familyName: { type: 'string' },
                    givenName: { type: 'string' },
                    organisation: { type: 'string' },
                    language: lang,
                    state: { type: 'string', enum: ['not_sent', 'invited', 'registered', 'unsubscribed'] },
                    invitedAt: { type: ['string', 'null'], format: 'date-time' },
                    registrationId: { type: ['integer', 'null'] },
                  },
                },
              },
            },
          }),
        },
        ...common,
      },
    },
    post: {
      summary:
        "Add invitees from contacts, under the rules of the workspace import: invalid addresses, duplicates in the array, addresses already invited or registered, and addresses unsubscribed from this owner are skipped with their reason; an unknown language takes the event's first language",
      security: secured,
      requestBody: {
        required: true,
        content: jsonBody({
          type: 'array',
          minItems: 1,
          maxItems: 2000,
          items: {
            type: 'object',
            required: ['email'],
            properties: {
              email: { type: 'string' },
              familyName: { type: 'string' },
              givenName: { type: 'string' },
              organisation: { type: 'string' },
              language: { type: 'string', description: 'en or ja (English, 日本語 … also understood)' },
            },
          },
        }),
      },
      responses: {
        201: {
          description: 'What was added and skipped',
          content: jsonBody({
            type: 'object',
            required: ['added', 'skipped'],
            properties: {
              added: { type: 'array', items: importedRow },
              skipped: { type: 'array', items: importedRow },
            },
          }),
        },
        ...common,
        422: errorResponse('Not an array of contacts'),
      },
    },
  },
  '/api/v1/events/{slug}/invitees/{id}': {
    parameters: [
      slugParam,
      { name: 'id', in: 'path', required: true, schema: { type: 'integer', minimum: 1 } },
    ],
    delete: {
      summary:
        'Remove an invitee whose invitation has not been sent (a contact added by mistake). An invitee who was invited or unsubscribed stays: the row records that mail, or keeps the address from being invited again',
      security: secured,
      responses: {
        204: { description: 'Removed' },
        ...common,
        404: errorResponse('No such event, or no such invitee at this event'),
        409: errorResponse('Invited or unsubscribed already'),
        422: errorResponse('Not an invitee id'),
      },
    },
  },
  '/api/v1/events/{slug}/invitations/send': {
    parameters: [slugParam],
    post: {
      summary:
        'Send the invitation to every invitee not yet invited (one mail each, in their language, with a personal link to the pre-filled form and one-click unsubscribe). Running it again sends nothing to those already invited',
      security: secured,
      responses: {
        200: { description: 'How many invitations were queued', content: sendResult() },
        ...common,
        409: errorResponse('The event is not published'),
      },
    },
  },
  '/api/v1/events/{slug}/invitations/remind': {
    parameters: [slugParam],
    post: {
      summary:
        'Send an invitation reminder to each invited invitee who has not registered or unsubscribed. The reminder number is its key: each invitee gets reminder n at most once, so repeating a request with the same `reminder` sends nothing more. Without `reminder`, the next number is used',
      security: secured,
      requestBody: {
        required: false,
        content: jsonBody({
          type: 'object',
          additionalProperties: false,
          properties: { reminder: { type: 'integer', minimum: 1, description: 'At most `nextReminder`' } },
        }),
      },
      responses: {
        200: {
          description: 'The reminder number and how many mails were queued now',
          content: sendResult({ reminder: { type: 'integer' } }),
        },
        ...common,
        409: errorResponse('The event is not published'),
        422: errorResponse('A reminder number past the next one'),
      },
    },
  },
};
