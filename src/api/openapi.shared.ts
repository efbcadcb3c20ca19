import { affiliations, registrationStatuses } from '../registrations';

/** Pieces the OpenAPI document's parts share. */

export const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
export const jsonBody = (schema: object) => ({ 'application/json': { schema } });
export const errorResponse = (description: string) => ({ description, content: jsonBody(ref('Error')) });
export const lang = { type: 'string', enum: ['en', 'ja'] };

export const filterParams = [
  {
    name: 'q',
    in: 'query',
    schema: { type: 'string' },
    description: 'Search names, kana, e-mail, organisation',
  },
  { name: 'status', in: 'query', schema: { type: 'string', enum: [...registrationStatuses] } },
  { name: 'affiliation', in: 'query', schema: { type: 'string', enum: [...affiliations] } },
  { name: 'country', in: 'query', schema: { type: 'string', pattern: '^[A-Za-z]{2}$' } },
  { name: 'language', in: 'query', schema: lang, description: 'Mail language' },
  { name: 'interpretation', in: 'query', schema: lang },
  { name: 'joined', in: 'query', schema: { type: 'string', enum: ['yes', 'no'] } },
];
export const slugParam = { name: 'slug', in: 'path', required: true, schema: { type: 'string' } };
export const secured = [{ bearer: [] }];
