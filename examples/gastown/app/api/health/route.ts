import { getFlagSource } from '../../../lib/flags';

export const dynamic = 'force-dynamic';

/** Readiness for the launcher and the end-to-end test: up, and which document revision it holds. */
export async function GET(): Promise<Response> {
  const document = await getFlagSource().current();
  return Response.json({ ok: true, revision: document?.revision ?? null }, { headers: { 'cache-control': 'no-store' } });
}
