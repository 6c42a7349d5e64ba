import { createRoute, z } from '@hono/zod-openapi';
import type { Role } from '../auth/roles';
import {
  AuditPageSchema,
  ChangeResultSchema,
  DocumentResultSchema,
  EnvironmentDocumentSchema,
  EnvironmentParams,
  EnvironmentsSchema,
  ErrorSchema,
  ExplainBodySchema,
  ExplainResultSchema,
  FlagParams,
  HistoryPageSchema,
  IdsBodySchema,
  IfMatchHeaders,
  PageQuery,
  PercentBodySchema,
  ReasonBodySchema,
  RollbackBodySchema,
  RollbackResultSchema,
  StageBodySchema,
  StatusSchema,
} from './schemas';

/** Every route of the admin API lives under this prefix; the Worker forwards it to the environment's Durable Object. */
export const ENVIRONMENT_PREFIX = '/v1/environments/{environment}';

const json = <T extends z.ZodType>(schema: T, description: string) => ({ content: { 'application/json': { schema } }, description });
const errors = {
  400: json(ErrorSchema, 'Bad input: `field` names what to fix; nothing changed'),
  401: json(ErrorSchema, 'Missing, forged or expired credentials'),
  403: json(ErrorSchema, 'The role does not allow this'),
  404: json(ErrorSchema, 'No such environment or revision'),
  500: json(ErrorSchema, 'Something failed inside; nothing internal is disclosed'),
} as const;
const bearer: Record<string, string[]>[] = [{ bearer: [] }, { access: [] }];

function change(path: string, summary: string, body: z.ZodType) {
  return createRoute({
    method: 'post',
    path: `${ENVIRONMENT_PREFIX}/flags/{flag}/${path}`,
    summary,
    security: bearer,
    request: { params: FlagParams, headers: IfMatchHeaders, body: { content: { 'application/json': { schema: body } }, required: true } },
    responses: { 200: json(ChangeResultSchema, 'The change (changed: false when it changed nothing)'), 412: json(ErrorSchema, 'If-Match names another revision; `revision` is the current one'), ...errors },
  });
}

export const routes = {
  status: createRoute({
    method: 'get',
    path: `${ENVIRONMENT_PREFIX}/status`,
    summary: 'Every flag: stage, kill-switch, allowlist, percentage, last change; webhook deliveries',
    security: bearer,
    request: { params: EnvironmentParams },
    responses: { 200: json(StatusSchema, 'The environment'), ...errors },
  }),
  document: createRoute({
    method: 'get',
    path: `${ENVIRONMENT_PREFIX}/document`,
    summary: 'The current environment document and its revision',
    security: bearer,
    request: { params: EnvironmentParams },
    responses: { 200: json(DocumentResultSchema, 'The document'), ...errors },
  }),
  stage: change('stage', 'Move a flag to a stage (lists and percentage are kept)', StageBodySchema),
  allow: change('allow', 'Add users and orgs to the allowlist', IdsBodySchema),
  disallow: change('disallow', 'Remove users and orgs from the allowlist', IdsBodySchema),
  percent: change('percent', 'Set the percentage split', PercentBodySchema),
  kill: change('kill', 'Turn the kill-switch on: everyone but admins out for new access', ReasonBodySchema),
  revive: change('revive', 'Turn the kill-switch off: back to the exact stage before the kill', ReasonBodySchema),
  explain: createRoute({
    method: 'post',
    path: `${ENVIRONMENT_PREFIX}/flags/{flag}/explain`,
    summary: 'Decisions for identities (and the trace, for a single identity)',
    security: bearer,
    request: { params: FlagParams, body: { content: { 'application/json': { schema: ExplainBodySchema } }, required: true } },
    responses: { 200: json(ExplainResultSchema, 'One decision per identity, in order'), ...errors },
  }),
  audit: createRoute({
    method: 'get',
    path: `${ENVIRONMENT_PREFIX}/audit`,
    summary: 'The audit log, oldest first (filter by flag; cursor pagination)',
    security: bearer,
    request: { params: EnvironmentParams, query: PageQuery },
    responses: { 200: json(AuditPageSchema, 'A page of entries'), ...errors },
  }),
  history: createRoute({
    method: 'get',
    path: `${ENVIRONMENT_PREFIX}/history`,
    summary: 'Every revision with who and why, oldest first (filter by flag; cursor pagination)',
    security: bearer,
    request: { params: EnvironmentParams, query: PageQuery },
    responses: { 200: json(HistoryPageSchema, 'A page of revisions'), ...errors },
  }),
  revision: createRoute({
    method: 'get',
    path: `${ENVIRONMENT_PREFIX}/revisions/{revision}`,
    summary: 'The document of an earlier revision, exactly as it was served',
    security: bearer,
    request: { params: EnvironmentParams.extend({ revision: z.coerce.number().int().min(1).openapi({ param: { name: 'revision', in: 'path' } }) }) },
    responses: { 200: json(DocumentResultSchema, 'The document'), ...errors },
  }),
  rollback: createRoute({
    method: 'post',
    path: `${ENVIRONMENT_PREFIX}/rollback`,
    summary: 'A new revision equal to an earlier one (owner only; history is never rewritten)',
    security: bearer,
    request: { params: EnvironmentParams, headers: IfMatchHeaders, body: { content: { 'application/json': { schema: RollbackBodySchema } }, required: true } },
    responses: { 200: json(RollbackResultSchema, 'The rollback'), 412: json(ErrorSchema, 'If-Match names another revision'), ...errors },
  }),
} as const;

/** Routes the Worker answers itself (documented in the same OpenAPI document). */
export const workerRoutes = {
  environments: createRoute({
    method: 'get',
    path: '/v1/environments',
    summary: 'The environments this control plane serves',
    security: bearer,
    responses: { 200: json(EnvironmentsSchema, 'Their names'), 401: errors[401], 500: errors[500] },
  }),
  environmentDocument: createRoute({
    method: 'get',
    path: '/api/v1/environment-document/',
    summary: "Flagsmith-compatible environment document (what flagsmithSource reads); ETag = revision",
    request: {
      headers: z.object({
        'x-environment-key': z.string().openapi({ param: { name: 'x-environment-key', in: 'header' }, description: "The environment's server key (ser.…)" }),
        'if-none-match': z.string().optional().openapi({ param: { name: 'if-none-match', in: 'header' } }),
      }),
    },
    responses: {
      200: json(EnvironmentDocumentSchema, 'The document (header ETag: "<revision>")'),
      304: { description: 'The document is still the revision named by If-None-Match' },
      401: json(ErrorSchema, 'Missing or unknown environment key'),
      500: errors[500],
    },
  }),
} as const;

/** The role each admin route needs: reading is for viewers, changing for operators, rollback for owners. */
export function roleFor(method: string, path: string): Role {
  if (method === 'GET' || method === 'HEAD') return 'viewer';
  if (/\/flags\/[^/]+\/explain$/.test(path)) return 'viewer';
  if (/\/rollback$/.test(path)) return 'owner';
  return 'operator';
}
