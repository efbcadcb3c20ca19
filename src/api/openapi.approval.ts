import { errorResponse, jsonBody, secured, slugParam } from './openapi.shared';

/** Approving and declining registrations that await approval, in the OpenAPI document. */

const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'integer', minimum: 1 } };

/** The answer to both: the registration and the status it has now. */
const decided = (statuses: string[], description: string) => ({
  description,
  content: jsonBody({
    type: 'object',
    additionalProperties: false,
    required: ['id', 'status'],
    properties: { id: { type: 'integer' }, status: { type: 'string', enum: statuses } },
  }),
});

const reasonText = { type: 'string', maxLength: 2000 };

const refusals = {
  401: errorResponse('No valid token'),
  403: errorResponse('The token may only read this event'),
  404: errorResponse('No such event, or no such registration at this event'),
};

export const approvalPaths = {
  '/api/v1/events/{slug}/registrations/{id}/approve': {
    parameters: [slugParam, idParam],
    post: {
      summary:
        'Approve a registration awaiting approval (events with `approval: true`): a seat while one is free, with the confirmation, join link and calendar invitation; otherwise the waiting list with its mail. No body',
      security: secured,
      responses: {
        200: decided(['confirmed', 'waitlisted'], 'Approved'),
        ...refusals,
        409: errorResponse(
          'The registration is not pending (approved, declined or cancelled already), the event is full without a waiting list, or it is not published',
        ),
        422: errorResponse('A body other than none or `{}`'),
      },
    },
  },
  '/api/v1/events/{slug}/registrations/{id}/decline': {
    parameters: [slugParam, idParam],
    post: {
      summary:
        'Decline a registration awaiting approval. The registrant gets a mail in their language with the reason in that language (or the other one when only that is given). The body is optional',
      security: secured,
      requestBody: {
        required: false,
        content: jsonBody({
          type: 'object',
          additionalProperties: false,
          properties: {
            reason: {
              type: 'object',
              additionalProperties: false,
              properties: { en: reasonText, ja: reasonText },
            },
          },
        }),
      },
      responses: {
        200: decided(['declined'], 'Declined'),
        ...refusals,
        409: errorResponse('The registration is not pending, or the event is not published'),
        422: errorResponse('The reason is not an object of texts in en and ja'),
      },
    },
  },
};
