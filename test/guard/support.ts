// The guard tests' calls through the test Worker's fetch handler, each response validated against the
// served OpenAPI document (as test/control/support.ts does for the API).
import Ajv2020 from 'ajv/dist/2020';
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env as bindings } from 'cloudflare:workers';
import { expect } from 'vitest';
import handler, { openapi, TOKENS, type Env } from './worker';

type Spec = { paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: unknown }> }> }>>; components: { schemas: Record<string, unknown> } };

const spec = openapi() as unknown as Spec;

/**
 * The test Worker's fetch handler, called as workerd calls it: with the Worker's bindings and a real
 * ExecutionContext whose `waitUntil` work (outcome batches, document refreshes) is awaited before
 * the response is handed back. Not through `exports.default`/`SELF`: in
 * @cloudflare/vitest-pool-workers 0.15.1 every call through that loopback entry point costs more than
 * the one before (a trivial route: about 6 ms per call after 100 calls, 250 ms after 450; about
 * 1 s after 600), so the incident's ~1,700 requests never finished (cloudflare/workers-sdk#15446).
 */
export const worker = {
  async fetch(request: Request): Promise<Response> {
    const ctx = createExecutionContext();
    const response = await handler.fetch(request, bindings as unknown as Env, ctx);
    await waitOnExecutionContext(ctx);
    return response;
  },
};
const ajv = new Ajv2020({ strict: false, allErrors: true });
ajv.addSchema({ $id: 'spec', components: spec.components } as never);
const validators = new Map<string, ReturnType<typeof ajv.compile>>();

/** The OpenAPI path template a concrete path matches, e.g. /v1/environments/{environment}/status. */
function templateOf(method: string, path: string): string {
  for (const template of Object.keys(spec.paths)) {
    if (!spec.paths[template]?.[method]) continue;
    const pattern = new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`);
    if (pattern.test(path)) return template;
  }
  throw new Error(`no OpenAPI path for ${method.toUpperCase()} ${path}`);
}

/** Fails the test unless the response's status and body are documented for its route. */
export function expectDocumented(method: string, path: string, status: number, body: unknown): void {
  const lower = method.toLowerCase();
  const template = templateOf(lower, path);
  const response = spec.paths[template]?.[lower]?.responses[String(status)];
  expect(response, `${method} ${template} does not document status ${status}`).toBeDefined();
  const schema = response?.content?.['application/json']?.schema;
  if (schema === undefined) {
    expect(body, `${method} ${template} ${status} has no documented body`).toBeNull();
    return;
  }
  const key = `${lower} ${template} ${status}`;
  let validate = validators.get(key);
  if (!validate) {
    // Component references point into the registered spec document.
    const rewritten = JSON.parse(JSON.stringify(schema).replace(/"#\/components\//g, '"spec#/components/'));
    validate = ajv.compile(rewritten);
    validators.set(key, validate);
  }
  const ok = validate(body);
  expect(ok, `${method} ${path} ${status}: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(body).slice(0, 500)}`).toBe(true);
}

export interface ApiAnswer<T = any> {
  readonly status: number;
  readonly body: T;
  readonly headers: Headers;
}

/** One admin API call through the Worker, validated against the OpenAPI document. */
export async function api<T = any>(
  method: string,
  path: string,
  options: { readonly token?: string | null; readonly body?: unknown; readonly rawBody?: string; readonly headers?: Record<string, string> } = {},
): Promise<ApiAnswer<T>> {
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  const token = options.token === undefined ? TOKENS.owner : options.token;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  let body: string | undefined;
  if (options.rawBody !== undefined) body = options.rawBody;
  else if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined && headers['content-type'] === undefined) headers['content-type'] = 'application/json';
  const response = await worker.fetch(new Request(`https://control.test${path}`, { method, headers, ...(body === undefined ? {} : { body }) }));
  const text = await response.text();
  const parsed = text === '' ? null : JSON.parse(text);
  expectDocumented(method, new URL(`https://control.test${path}`).pathname, response.status, parsed);
  return { status: response.status, body: parsed as T, headers: response.headers };
}

/** `/v1/environments/<environment>` + path. */
export const env = (environment: string, path: string) => `/v1/environments/${environment}${path}`;
