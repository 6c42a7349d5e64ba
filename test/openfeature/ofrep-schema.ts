// Validates OFREP responses against OFREP's own OpenAPI (test/fixtures/openfeature, see SOURCES.md):
// every status and body a test sees must be one the spec allows for that endpoint.
import { readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';
import { expect } from 'vitest';


const spec = parse(readFileSync(new URL('../fixtures/openfeature/ofrep-openapi.yaml', import.meta.url).pathname, 'utf8')) as {
  paths: Record<string, { post: { responses: Record<string, { content?: Record<string, { schema: unknown }> }> } }>;
};
// One correction, to the spec's documented meaning: `codeDefaultFlag` ("this schema has no `value`
// property") is written as `{ type: object, properties: {} }`, which matches every object, so no
// evaluation carrying a value could ever match exactly one branch of the `oneOf`. It is read here as
// "an object without `value`"; everything else is validated as written.
const schemas = (spec as unknown as { components: { schemas: Record<string, Record<string, unknown>> } }).components.schemas;
schemas.codeDefaultFlag = { ...schemas.codeDefaultFlag, not: { required: ['value'] } };
const ajv = new Ajv2020({ strict: false, allErrors: true });
(addFormats as unknown as (ajv: Ajv2020) => void)(ajv);
ajv.addSchema({ ...spec, $id: 'ofrep' }, 'ofrep');

export type Endpoint = 'single' | 'bulk';
const PATHS: Record<Endpoint, string> = { single: '/ofrep/v1/evaluate/flags/{key}', bulk: '/ofrep/v1/evaluate/flags' };

/** Asserts the spec defines this status for the endpoint and the body matches its schema (or has none). */
export async function expectOfrep(endpoint: Endpoint, response: Response): Promise<unknown> {
  const responses = spec.paths[PATHS[endpoint]]!.post.responses;
  const defined = responses[String(response.status)];
  expect(defined, `${endpoint}: status ${response.status} is not in OFREP's OpenAPI`).toBeDefined();
  const text = await response.text();
  const schema = defined!.content?.['application/json']?.schema as { $ref?: string } | undefined;
  if (schema === undefined) {
    expect(text, `${endpoint} ${response.status} has no body in the spec`).toBe('');
    return undefined;
  }
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  const body = JSON.parse(text) as unknown;
  const validate = ajv.compile({ $ref: `ofrep${schema.$ref}` });
  expect(validate(body), `${endpoint} ${response.status} ${text}: ${ajv.errorsText(validate.errors)}`).toBe(true);
  return body;
}
