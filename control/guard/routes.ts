import { createRoute, z } from '@hono/zod-openapi';
import { ENVIRONMENT_PREFIX } from '../api/routes';
import { EnvironmentParams, ErrorSchema } from '../api/schemas';
import { IngestResultSchema, OutcomeBatchSchema } from './schemas';

const json = <T extends z.ZodType>(schema: T, description: string) => ({ content: { 'application/json': { schema } }, description });

/** The path of outcome ingestion, as the Durable Object matches it before the admin API (which it bypasses). */
export const OUTCOMES_PATH = /^\/v1\/environments\/[^/]+\/outcomes$/;

export const guardRoutes = {
  ingest: createRoute({
    method: 'post',
    path: `${ENVIRONMENT_PREFIX}/outcomes`,
    summary: "Report outcomes for guards (the environment's ingest key only; it can do nothing else)",
    security: [{ ingest: [] }],
    request: { params: EnvironmentParams, body: { content: { 'application/json': { schema: OutcomeBatchSchema } }, required: true } },
    responses: {
      202: json(IngestResultSchema, 'Taken'),
      400: json(ErrorSchema, 'Malformed (not JSON, not the schema, unknown flag): refused, counted in status.outcomes, nothing stored'),
      401: json(ErrorSchema, 'Not the ingest key (admin tokens cannot ingest)'),
      404: json(ErrorSchema, 'No such environment'),
      413: json(ErrorSchema, 'Over 128 KiB: refused, counted, nothing stored'),
      500: json(ErrorSchema, 'Something failed inside; nothing internal is disclosed'),
    },
  }),
} as const;
