import { z } from '@hono/zod-openapi';
import { IngestCountersSchema } from '../guard/schemas';
import { allowlistIdProblem, STAGES, type Stage } from '../../runtime/stages/index';

/**
 * The admin API's shapes: the same zod schemas validate requests and generate the OpenAPI document
 * the API serves at `/v1/openapi.json`.
 */

export const StageSchema = z.enum(STAGES as unknown as readonly [Stage, ...Stage[]]).openapi('Stage');
export const BucketBySchema = z.enum(['user', 'org']).openapi('BucketBy');

export const RolloutSchema = z
  .object({
    flag: z.string(),
    stage: StageSchema,
    killed: z.boolean(),
    allowlist: z.object({ users: z.array(z.string()), orgs: z.array(z.string()) }),
    percentage: z.object({ value: z.number(), by: BucketBySchema }).nullable(),
  })
  .openapi('Rollout');

export const ErrorSchema = z
  .object({
    error: z.enum(['bad-request', 'unauthenticated', 'forbidden', 'not-found', 'conflict', 'internal']),
    message: z.string(),
    field: z.string().optional(),
    fix: z.string().optional(),
    revision: z.number().int().optional(),
  })
  .openapi('Error');

export const AuditEntrySchema = z
  .object({
    id: z.number().int(),
    at: z.string(),
    actor: z.string(),
    command: z.string(),
    args: z.array(z.string()),
    flag: z.string(),
    reason: z.string(),
    revision: z.number().int(),
    before: RolloutSchema,
    after: RolloutSchema,
  })
  .openapi('AuditEntry');

export const RevisionSchema = z
  .object({
    revision: z.number().int(),
    at: z.string(),
    actor: z.string(),
    command: z.string(),
    reason: z.string().nullable(),
    restoredFrom: z.number().int().nullable(),
    flags: z.array(z.string()),
  })
  .openapi('Revision');

export const DeliverySchema = z
  .object({
    url: z.string(),
    revision: z.number().int(),
    state: z.enum(['pending', 'delivered', 'failed', 'superseded']),
    attempts: z.number().int(),
    nextAttemptAt: z.string().nullable(),
    lastError: z.string().nullable(),
    deliveredAt: z.string().nullable(),
  })
  .openapi('Delivery');

export const FlagStatusSchema = z
  .object({
    flag: z.string(),
    feature: z.string(),
    parent: z.string().nullable(),
    stage: StageSchema,
    killed: z.boolean(),
    killedBy: z.string().nullable(),
    allowlist: z.object({ users: z.array(z.string()), orgs: z.array(z.string()) }),
    percentage: z.object({ value: z.number(), by: BucketBySchema }).nullable(),
    lastChange: z.object({ at: z.string(), actor: z.string(), command: z.string(), reason: z.string(), revision: z.number().int() }).nullable(),
  })
  .openapi('FlagStatus');

export const StatusSchema = z
  .object({
    environment: z.string(),
    revision: z.number().int(),
    updatedAt: z.string(),
    flags: z.array(FlagStatusSchema),
    webhooks: z.array(DeliverySchema),
    outcomes: IngestCountersSchema.openapi({ description: 'Outcome batches for guards: taken, and refused (unauthenticated, malformed, oversized; nothing stored)' }),
  })
  .openapi('Status');

export const ChangeResultSchema = z
  .object({
    flag: z.string(),
    changed: z.boolean(),
    revision: z.number().int(),
    updatedAt: z.string().openapi({ description: "The document's updated_at: the revision gates report in decisions" }),
    before: RolloutSchema,
    after: RolloutSchema,
    notes: z.array(z.string()),
    audit: AuditEntrySchema.nullable(),
  })
  .openapi('ChangeResult');

export const RollbackResultSchema = z
  .object({
    changed: z.boolean(),
    revision: z.number().int(),
    updatedAt: z.string(),
    restoredFrom: z.number().int(),
    audit: z.array(AuditEntrySchema),
  })
  .openapi('RollbackResult');

export const AuditPageSchema = z.object({ entries: z.array(AuditEntrySchema), next: z.string().nullable() }).openapi('AuditPage');
export const HistoryPageSchema = z.object({ revisions: z.array(RevisionSchema), next: z.string().nullable() }).openapi('HistoryPage');

/** A Flagsmith environment document: its shape is Flagsmith's, only its top level is described here. */
export const EnvironmentDocumentSchema = z
  .object({ api_key: z.string(), feature_states: z.array(z.unknown()), project: z.object({}).passthrough(), updated_at: z.string() })
  .passthrough()
  .openapi('EnvironmentDocument');

export const DocumentResultSchema = z.object({ revision: z.number().int(), document: EnvironmentDocumentSchema }).openapi('DocumentResult');

export const DecisionSchema = z
  .object({
    flag: z.string(),
    allowed: z.boolean(),
    reason: z.enum(['parent', 'admin', 'killed', 'allowlist', 'percentage', 'ga', 'not-enabled', 'no-environment']),
    stage: StageSchema,
    killed: z.boolean(),
    revision: z.string().nullable(),
    userId: z.string(),
  })
  .openapi('Decision');

export const ExplainResultSchema = z
  .object({
    revision: z.number().int(),
    decisions: z.array(DecisionSchema),
    explanation: z.object({}).passthrough().nullable(),
  })
  .openapi('ExplainResult');

export const EnvironmentsSchema = z.object({ environments: z.array(z.string()) }).openapi('Environments');

// Requests ------------------------------------------------------------------------------------------

const IdSchema = z.string().superRefine((id, context) => {
  const problem = allowlistIdProblem(id);
  if (problem) context.addIssue({ code: 'custom', message: `${JSON.stringify(id.slice(0, 60))}: ${problem}` });
});

export const ReasonSchema = z.string().trim().min(1).max(2000).openapi({ description: 'Why: recorded in the audit log. Required.' });

export const StageBodySchema = z.object({ stage: StageSchema, force: z.boolean().optional(), reason: ReasonSchema }).strict().openapi('StageRequest');
export const IdsBodySchema = z
  .object({ users: z.array(IdSchema).max(10_000).optional(), orgs: z.array(IdSchema).max(10_000).optional(), reason: ReasonSchema })
  .strict()
  .openapi('AllowlistRequest');
export const PercentBodySchema = z.object({ value: z.number().min(0).max(100), by: BucketBySchema.optional(), reason: ReasonSchema }).strict().openapi('PercentRequest');
export const ReasonBodySchema = z.object({ reason: ReasonSchema }).strict().openapi('ReasonRequest');
export const RollbackBodySchema = z.object({ revision: z.number().int().min(1), reason: ReasonSchema }).strict().openapi('RollbackRequest');

export const IdentitySchema = z
  .object({
    userId: z.string().min(1).max(1000),
    orgId: z.string().max(1000).nullable().optional(),
    isAdmin: z.boolean().optional(),
    traits: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).optional(),
  })
  .strict()
  .openapi('Identity');
export const ExplainBodySchema = z.object({ identities: z.array(IdentitySchema).min(1).max(10_000) }).strict().openapi('ExplainRequest');

export const EnvironmentParams = z.object({ environment: z.string().openapi({ param: { name: 'environment', in: 'path' }, example: 'production' }) });
export const FlagParams = EnvironmentParams.extend({ flag: z.string().openapi({ param: { name: 'flag', in: 'path' }, example: 'gastown' }) });
export const IfMatchHeaders = z.object({
  'if-match': z.string().optional().openapi({ param: { name: 'if-match', in: 'header' }, description: 'The revision the change is based on; another answers 412.' }),
});
export const PageQuery = z.object({
  flag: z.string().optional(),
  cursor: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
});
