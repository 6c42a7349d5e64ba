// The control plane's workerd tests call its admin API through a test Worker and validate every
// answer against the OpenAPI document the Worker serves: one client for test/control and test/guard.
import Ajv2020 from 'ajv/dist/2020';
import { expect } from 'vitest';

type Spec = { paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: unknown }> }> }>>; components: { schemas: Record<string, unknown> } };

export interface ApiAnswer<T = any> {
  readonly status: number;
  readonly body: T;
  readonly headers: Headers;
}

export interface ApiCallOptions {
  /** The bearer token; `null` sends none; default the client's `token`. */
  readonly token?: string | null;
  readonly body?: unknown;
  readonly rawBody?: string;
  readonly headers?: Record<string, string>;
}

export interface OpenApiClientOptions {
  /** The served OpenAPI document (`plane.openapi()`). */
  readonly spec: unknown;
  /** How a request reaches the test Worker. */
  readonly fetch: (request: Request) => Promise<Response>;
  /** The token sent when a call names none. */
  readonly token: string;
  /** The origin requests go to (default https://control.test). */
  readonly origin?: string;
}

export interface OpenApiClient {
  /** Fails the test unless the response's status and body are documented for its route. */
  expectDocumented(method: string, path: string, status: number, body: unknown): void;
  /** One admin API call through the Worker, validated against the OpenAPI document. */
  api<T = any>(method: string, path: string, options?: ApiCallOptions): Promise<ApiAnswer<T>>;
}

/**
 * A client of the control plane's admin API for tests, each answer checked against the spec.
 *
 * @example
 * ```ts
 * const { api } = openApiClient({ spec: openapi(), fetch: (request) => worker.fetch(request), token: TOKENS.owner });
 * const status = await api('GET', '/v1/environments/production/status', { token: TOKENS.viewer });
 * ```
 */
export function openApiClient(options: OpenApiClientOptions): OpenApiClient {
  const spec = options.spec as Spec;
  const origin = options.origin ?? 'https://control.test';
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

  function expectDocumented(method: string, path: string, status: number, body: unknown): void {
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

  async function api<T = any>(method: string, path: string, call: ApiCallOptions = {}): Promise<ApiAnswer<T>> {
    const headers: Record<string, string> = { ...(call.headers ?? {}) };
    const token = call.token === undefined ? options.token : call.token;
    if (token !== null) headers.authorization = `Bearer ${token}`;
    let body: string | undefined;
    if (call.rawBody !== undefined) body = call.rawBody;
    else if (call.body !== undefined) body = JSON.stringify(call.body);
    if (body !== undefined && headers['content-type'] === undefined) headers['content-type'] = 'application/json';
    const response = await options.fetch(new Request(`${origin}${path}`, { method, headers, ...(body === undefined ? {} : { body }) }));
    const text = await response.text();
    const parsed = text === '' ? null : JSON.parse(text);
    expectDocumented(method, new URL(`${origin}${path}`).pathname, response.status, parsed);
    return { status: response.status, body: parsed as T, headers: response.headers };
  }

  return { expectDocumented, api };
}
