import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { Response } from 'supertest';
import { openApiDocument } from '../../src/api/openapi';

/**
 * Checks real API responses against the served OpenAPI document: the status must be documented for
 * that path and method, and a JSON body must match the documented schema.
 */
const doc = openApiDocument('http://localhost') as {
  paths: Record<
    string,
    Record<string, { responses: Record<string, { content?: Record<string, { schema: object }> }> }>
  >;
};
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema({ $id: 'openapi', components: (doc as unknown as { components: object }).components });

/** Throws with ajv's errors unless `res` is what the document promises for `method path`. */
export function expectDocumented(res: Response, method: string, path: string): void {
  const op = doc.paths[path]?.[method.toLowerCase()];
  if (!op) throw new Error(`${method} ${path} is not in the OpenAPI document`);
  const documented = op.responses[String(res.status)];
  if (!documented)
    throw new Error(`${method} ${path} answered ${res.status}, which the document does not list`);
  const type = String(res.headers['content-type'] ?? '').split(';')[0]!;
  if (type !== 'application/json') return;
  const schema = documented.content?.['application/json']?.schema;
  if (!schema) throw new Error(`${method} ${path} ${res.status} has no JSON schema`);
  const validate = ajv.compile(rebase(schema));
  if (!validate(res.body)) {
    throw new Error(`${method} ${path} ${res.status} does not match: ${ajv.errorsText(validate.errors)}`);
  }
}

/** Points the document's local refs at the schema registered under the id `openapi`. */
function rebase(schema: object): object {
  return JSON.parse(JSON.stringify(schema).replace(/"#\/components\//g, '"openapi#/components/'));
}
