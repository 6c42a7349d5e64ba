import { z } from '@hono/zod-openapi';
import { AuditEntrySchema, ReasonSchema } from '../api/schemas';
import { MAX_STEPS } from './plan';

/** The plan routes' shapes: they validate requests and generate the OpenAPI document's plan parts. */

export const PlanStepSchema = z
  .object({
    index: z.number().int().openapi({ description: '0-based position in the schedule' }),
    percent: z.number().nullable().openapi({ description: 'The percentage; null for the GA step' }),
    stage: z.enum(['percentage', 'ga']),
    dueAt: z.string().nullable().openapi({ description: 'When it is (or was) due; null for steps after a pause, until resumed' }),
    state: z.enum(['applied', 'skipped', 'pending']),
    at: z.string().nullable().openapi({ description: 'When it was applied or skipped' }),
    revision: z.number().int().nullable(),
    auditId: z.number().int().nullable(),
  })
  .openapi('PlanStep');

export const PlanGuardSchema = z
  .object({
    errorRate: z.number().openapi({ description: '0..1: the error rate that trips the kill-switch' }),
    minSamples: z.number().int(),
    window: z.string().openapi({ example: '10m' }),
    windowMs: z.number().int(),
  })
  .openapi('PlanGuard');

export const GuardStateSchema = z
  .object({ trippedAt: z.string(), rate: z.number(), samples: z.number().int() })
  .openapi('GuardState');

export const GuardWindowSchema = z
  .object({
    since: z.string().openapi({ description: 'Where the window starts: the guard window ago, or just after the last trip' }),
    samples: z.number().int().openapi({ description: 'Outcomes of identities the rollout let in (allowlist, percentage)' }),
    errors: z.number().int(),
    rate: z.number().openapi({ description: 'errors / samples (0 when empty); the guard judges it only with at least minSamples' }),
  })
  .openapi('GuardWindow');

const ActorNote = z.object({ at: z.string(), by: z.string(), reason: z.string() });

export const PlanSchema = z
  .object({
    id: z.number().int(),
    flag: z.string(),
    status: z.enum(['scheduled', 'running', 'paused', 'done', 'cancelled']),
    steps: z.array(z.number()),
    every: z.string().openapi({ example: '6h' }),
    everyMs: z.number().int(),
    startAt: z.string(),
    then: z.enum(['ga']).nullable(),
    createdBy: z.string(),
    createdAt: z.string(),
    reason: z.string(),
    schedule: z.array(PlanStepSchema),
    next: z.object({ index: z.number().int(), percent: z.number().nullable(), stage: z.enum(['percentage', 'ga']), at: z.string() }).nullable(),
    paused: ActorNote.nullable(),
    ended: ActorNote.nullable(),
    guard: PlanGuardSchema.nullable(),
    guardState: GuardStateSchema.nullable(),
    guardWindow: GuardWindowSchema.nullable().openapi({ description: 'What the guard of an active plan sees now; null without a guard or once the plan ended' }),
  })
  .openapi('Plan');

export const PlanResultSchema = z
  .object({ plan: PlanSchema, changed: z.boolean(), audit: AuditEntrySchema.nullable(), notes: z.array(z.string()) })
  .openapi('PlanResult');

export const PlanViewSchema = z.object({ plan: PlanSchema }).openapi('PlanView');

export const PlanRequestSchema = z
  .object({
    steps: z.array(z.number().gt(0).max(100)).min(1).max(MAX_STEPS).openapi({ example: [1, 5, 25, 50, 100], description: 'Percentages, strictly increasing' }),
    every: z.string().max(20).openapi({ example: '6h', description: 'Between steps: a whole number and s, m, h or d' }),
    start: z.string().max(40).optional().openapi({ description: 'An ISO 8601 time with zone, or a delay from now (30m); default now' }),
    then: z.enum(['ga']).nullable().optional().openapi({ description: '"ga": move to GA one interval after the last step' }),
    guard: z
      .object({
        errorRate: z.number().gt(0).max(1).openapi({ description: '0..1 (0.02 = 2%)' }),
        minSamples: z.number().int().min(1).max(10_000_000),
        window: z.string().max(20).openapi({ example: '10m' }),
      })
      .strict()
      .nullable()
      .optional(),
    reason: ReasonSchema,
  })
  .strict()
  .openapi('PlanRequest');
