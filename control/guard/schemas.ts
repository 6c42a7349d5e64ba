import { z } from '@hono/zod-openapi';
import type { OutcomeBatch } from '../../runtime/outcomes/wire';
import { MAX_BATCH_ENTRIES, MAX_OUTCOME_COUNT } from '../../runtime/outcomes/wire';
import type { DecisionReason } from '../../runtime/policy/decision';

/** The shapes of outcome ingestion, in the OpenAPI document like the rest of the API. */

const REASONS = ['parent', 'admin', 'killed', 'allowlist', 'percentage', 'ga', 'not-enabled', 'no-environment'] as const satisfies readonly DecisionReason[];

export const OutcomeCountSchema = z
  .object({
    flag: z.string().min(1).max(200),
    reason: z.enum(REASONS).openapi({ description: 'The reason of the decision that let the identity in; only allowlist and percentage count for a guard' }),
    outcome: z.enum(['error', 'success']),
    count: z.number().int().min(1).max(MAX_OUTCOME_COUNT),
  })
  .strict()
  .openapi('OutcomeCount');

export const OutcomeBatchSchema = z
  .object({
    sampleRate: z.number().gt(0).max(1).openapi({ description: 'The share of outcomes the reporter kept; rates are computed on the samples' }),
    outcomes: z.array(OutcomeCountSchema).max(MAX_BATCH_ENTRIES),
  })
  .strict()
  .openapi('OutcomeBatch');

// The wire type (runtime/outcomes/wire.ts, what the reporter sends) and this schema stay one shape.
const _sameShape: (batch: OutcomeBatch) => z.input<typeof OutcomeBatchSchema> = (batch) => ({ ...batch, outcomes: [...batch.outcomes] });
void _sameShape;

export const IngestResultSchema = z
  .object({
    counted: z.number().int().openapi({ description: 'Outcomes counted for guards (allowlist or percentage access)' }),
    ignored: z.number().int().openapi({ description: 'Outcomes taken but not counted (e.g. ga)' }),
  })
  .openapi('IngestResult');

export const IngestCountersSchema = z
  .object({
    batches: z.number().int(),
    counted: z.number().int(),
    ignored: z.number().int(),
    refused: z.object({ unauthenticated: z.number().int(), malformed: z.number().int(), oversized: z.number().int() }),
  })
  .openapi('IngestCounters');
