import { errorResponse, jsonBody, secured, slugParam } from './openapi.shared';

/** Corrections of a registration and registrants added by hand, in the OpenAPI document. */

const details = {
  familyName: { type: 'string', maxLength: 100 },
  givenName: { type: 'string', maxLength: 100 },
  familyNameKana: { type: ['string', 'null'], maxLength: 100, description: 'Katakana or hiragana' },
  givenNameKana: { type: ['string', 'null'], maxLength: 100 },
  organisation: { type: ['string', 'null'], maxLength: 200 },
  affiliation: { type: 'string' },
  country: { type: 'string', description: 'ISO 3166-1 alpha-2' },
  answers: {
    type: 'object',
    additionalProperties: { oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
    description: "Answers to the event's questions by question id",
  },
};

export const correctionPaths = {
  '/api/v1/events/{slug}/registrations/{id}': {
    parameters: [
      slugParam,
      { name: 'id', in: 'path', required: true, schema: { type: 'integer', minimum: 1 } },
    ],
    patch: {
      summary:
        "Correct a registrant's details and answers (never the e-mail address). Fields left out keep their values; no mail goes out, the next mail and invite carry the correction",
      security: secured,
      requestBody: {
        required: true,
        content: jsonBody({ type: 'object', properties: details, additionalProperties: true }),
      },
      responses: {
        200: {
          description: 'The fields that changed (empty when nothing did)',
          content: jsonBody({
            type: 'object',
            additionalProperties: false,
            required: ['id', 'changed'],
            properties: { id: { type: 'integer' }, changed: { type: 'array', items: { type: 'string' } } },
          }),
        },
        401: errorResponse('No valid token'),
        403: errorResponse('The token may only read this event'),
        404: errorResponse('No such event or registration'),
        422: errorResponse('Invalid fields (`email` cannot be corrected)'),
      },
    },
  },
  '/api/v1/events/{slug}/registrations/manual': {
    parameters: [slugParam],
    post: {
      summary:
        "Add a registrant by hand (the form's fields, `consent: true`). They get the usual confirmation or waiting-list mail. `pastDeadline: true` adds after registration closed; `overCapacity: true` gives a seat when the event is full (otherwise the waiting list, or 409 without one)",
      security: secured,
      requestBody: {
        required: true,
        content: jsonBody({
          type: 'object',
          required: [
            'email',
            'familyName',
            'givenName',
            'affiliation',
            'country',
            'locale',
            'interpretation',
            'consent',
          ],
          properties: {
            email: { type: 'string', format: 'email' },
            ...details,
            locale: { type: 'string', enum: ['en', 'ja'] },
            interpretation: { type: 'string', enum: ['en', 'ja'] },
            consent: { const: true },
            pastDeadline: { type: 'boolean', default: false },
            overCapacity: { type: 'boolean', default: false },
          },
        }),
      },
      responses: {
        201: {
          description: 'Added',
          content: jsonBody({
            type: 'object',
            additionalProperties: false,
            required: ['id', 'status'],
            properties: {
              id: { type: 'integer' },
              status: { type: 'string', enum: ['confirmed', 'waitlisted'] },
            },
          }),
        },
        401: errorResponse('No valid token'),
        403: errorResponse('The token may only read this event'),
        404: errorResponse('No such event'),
        409: errorResponse(
          'Registration closed (without pastDeadline), full without a waiting list (without overCapacity), address already registered, or the event is not published',
        ),
        422: errorResponse('Invalid fields'),
      },
    },
  },
};
