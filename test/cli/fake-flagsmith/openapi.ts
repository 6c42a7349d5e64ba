import { readFileSync } from 'node:fs';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { parse } from 'yaml';
import { repoRoot } from '../../helpers/tmp';

/**
 * Flagsmith's Admin API specification (test/fixtures/flagsmith/admin-api/openapi.yaml) as a
 * validator for the fake server: each request is matched to an operation of the spec, and its path
 * and query parameters, body and the fake's response are validated against the spec's schemas.
 */

interface Parameter {
  readonly name: string;
  readonly in: 'path' | 'query' | 'header' | 'cookie';
  readonly required?: boolean;
  readonly schema?: Schema;
}

type Schema = Record<string, unknown>;

interface Operation {
  readonly operationId: string;
  readonly parameters?: readonly Parameter[];
  readonly requestBody?: { readonly required?: boolean; readonly content?: Record<string, { readonly schema?: Schema }> };
  readonly responses?: Record<string, { readonly content?: Record<string, { readonly schema?: Schema }> }>;
}

/** The operation a request matched, with its path parameters. */
export interface MatchedOperation {
  readonly template: string;
  readonly method: string;
  readonly operationId: string;
  readonly params: Record<string, string>;
  readonly operation: Operation;
}

export interface OpenApiValidator {
  /** The operation for a method and path, or null when the spec has none. */
  match(method: string, path: string): MatchedOperation | null;
  /** Every problem with the request's parameters and body (empty when it validates). */
  checkRequest(matched: MatchedOperation, query: URLSearchParams, body: unknown, hasBody: boolean): string[];
  /** Every problem with a value against a component schema (`#/components/schemas/<name>`). */
  checkSchema(name: string, value: unknown): string[];
  /** Every problem with a response body for a status (empty when it validates). */
  checkResponse(matched: MatchedOperation, status: number, body: unknown): string[];
}

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;
let cached: OpenApiValidator | null = null;

/**
 * Loads the spec once per test file (it is 29,000 lines of YAML).
 *
 * @example
 * ```ts
 * const spec = adminApiSpec();
 * const op = spec.match('GET', '/api/v1/projects/1/features/');
 * ```
 */
export function adminApiSpec(): OpenApiValidator {
  cached ??= load(`${repoRoot}test/fixtures/flagsmith/admin-api/openapi.yaml`);
  return cached;
}

function load(file: string): OpenApiValidator {
  const doc = normalise(parse(readFileSync(file, 'utf8'))) as { paths: Record<string, Record<string, Operation>>; components: Schema };
  const ajv = new Ajv2020({ strict: false, allErrors: true, logger: false });
  addFormats(ajv);
  ajv.addSchema({ $id: 'openapi.json', components: doc.components });
  const compiled = new Map<Schema, ValidateFunction>();
  const validator = (schema: Schema): ValidateFunction => {
    let fn = compiled.get(schema);
    if (!fn) {
      fn = ajv.compile(schema);
      compiled.set(schema, fn);
    }
    return fn;
  };
  const check = (schema: Schema, value: unknown, label: string): string[] => {
    const fn = validator(schema);
    if (fn(value)) return [];
    return (fn.errors ?? []).map((error) => `${label}${error.instancePath || ''} ${error.message ?? 'is invalid'}${error.params ? ` ${JSON.stringify(error.params)}` : ''}`);
  };

  // Literal paths before templated ones, so /feature-segments/update-priorities/ beats /feature-segments/{id}/.
  const templates = Object.keys(doc.paths)
    .map((template) => {
      const names: string[] = [];
      const source = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{([^}]+)\}/g, (_, name: string) => {
        names.push(name);
        return '([^/]+)';
      });
      return { template, names, regex: new RegExp(`^${source}$`) };
    })
    .sort((a, b) => a.names.length - b.names.length);

  return {
    match(method, path) {
      for (const { template, names, regex } of templates) {
        const found = regex.exec(path);
        if (!found) continue;
        const operation = doc.paths[template]?.[method.toLowerCase()];
        if (!operation) continue;
        const params: Record<string, string> = {};
        names.forEach((name, index) => {
          params[name] = decodeURIComponent(found[index + 1] ?? '');
        });
        return { template, method: method.toUpperCase(), operationId: operation.operationId, params, operation };
      }
      return null;
    },

    checkRequest(matched, query, body, hasBody) {
      const problems: string[] = [];
      const declared = matched.operation.parameters ?? [];
      for (const parameter of declared) {
        if (parameter.in === 'path') {
          problems.push(...check(parameter.schema ?? {}, coerce(parameter.schema, matched.params[parameter.name] ?? ''), `path parameter ${parameter.name}`));
        }
        if (parameter.in === 'query') {
          const values = query.getAll(parameter.name);
          if (values.length === 0) {
            if (parameter.required) problems.push(`query parameter ${parameter.name} is required`);
            continue;
          }
          const schema = parameter.schema ?? {};
          const value = schema.type === 'array' ? values.map((item) => coerce(schema.items as Schema | undefined, item)) : coerce(schema, values[values.length - 1] ?? '');
          problems.push(...check(schema, value, `query parameter ${parameter.name}`));
        }
      }
      for (const key of new Set(query.keys())) {
        if (!declared.some((parameter) => parameter.in === 'query' && parameter.name === key)) problems.push(`query parameter ${key} is not in the spec`);
      }
      const requestBody = matched.operation.requestBody;
      if (!hasBody) {
        if (requestBody?.required) problems.push('a request body is required');
        return problems;
      }
      const schema = requestBody?.content?.['application/json']?.schema;
      if (!schema) return [...problems, `${matched.method} ${matched.template} takes no JSON body`];
      return [...problems, ...check(schema, body, 'request body')];
    },

    checkSchema(name, value) {
      return check({ $ref: `openapi.json#/components/schemas/${name}` }, value, name);
    },

    checkResponse(matched, status, body) {
      const response = matched.operation.responses?.[String(status)];
      if (!response) return [`status ${status} is not a documented response of ${matched.operationId}`];
      const schema = response.content?.['application/json']?.schema;
      if (!schema) return body === undefined ? [] : [`status ${status} of ${matched.operationId} has no body in the spec`];
      return check(schema, body, `response ${status} body`);
    },
  };
}

/** Query and path values are strings on the wire: coerce them to the schema's scalar type. */
function coerce(schema: Schema | undefined, raw: string): unknown {
  const types = schema === undefined ? [] : Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string];
  if (types.includes('integer') || types.includes('number')) {
    const value = Number(raw);
    if (raw !== '' && !Number.isNaN(value)) return value;
  }
  if (types.includes('boolean') && (raw === 'true' || raw === 'false')) return raw === 'true';
  return raw;
}

/**
 * The spec is OpenAPI 3.1 (JSON Schema 2020-12) but its paginated lists still use 3.0's
 * `nullable: true`, which 2020-12 does not know: turn it into a `null` type. Local `$ref`s are made
 * absolute so inline schemas compile on their own.
 */
function normalise(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalise);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    if (key === '$ref' && typeof child === 'string' && child.startsWith('#/')) out[key] = `openapi.json${child}`;
    else if (key !== 'nullable') out[key] = normalise(child);
  }
  const record = value as Record<string, unknown>;
  if (record.nullable === true && typeof record.type === 'string') out.type = [record.type, 'null'];
  return out;
}
