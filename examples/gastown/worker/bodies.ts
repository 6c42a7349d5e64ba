import type { Context } from 'hono';
import { z } from 'zod';
import type { ApiError } from '../shared/api';

/** Request bodies of the worker API: validated before anything touches the store. */
export const nameBody = z.object({ name: z.string().trim().min(1).max(80) });
export const strategyBody = z.object({ strategy: z.enum(['direct', 'pr']) });
export const beadsBody = z.object({ beads: z.array(z.string().trim().min(1).max(80)).min(1).max(50) });
export const formulaBody = z.object({ formula: z.string().trim().min(1).max(80) });

export type BodyResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly response: Response };

/** Parses the JSON body (Hono caches it, so a gate and its handler may both read it); 400 when invalid. */
export async function readBody<T>(c: Context, schema: z.ZodType<T>): Promise<BodyResult<T>> {
  const json: unknown = await c.req.json().catch(() => undefined);
  const parsed = schema.safeParse(json);
  if (parsed.success) return { ok: true, value: parsed.data };
  const body: ApiError = { error: 'bad-request', message: parsed.error.issues[0]?.message ?? 'invalid body' };
  return { ok: false, response: c.json(body, 400) };
}
