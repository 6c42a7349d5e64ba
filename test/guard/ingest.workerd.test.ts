// Outcome ingestion in workerd: the ingest key opens POST …/outcomes and nothing else, admin
// credentials cannot ingest, and malformed or oversized batches are refused, counted in status and
// never stored.
import { describe, expect, it } from 'vitest';
import { api, env, worker } from './support';
import { INGEST_KEY, SERVER_KEYS, TOKENS } from './worker';

const outcomes = (environment = 'production') => env(environment, '/outcomes');
const batch = (count: number, outcome: 'error' | 'success' = 'success', reason = 'percentage') => ({ sampleRate: 1, outcomes: [{ flag: 'gastown', reason, outcome, count }] });

async function status() {
  const answer = await api('GET', env('production', '/status'), { token: TOKENS.viewer });
  expect(answer.status).toBe(200);
  return answer.body as { revision: number; outcomes: { batches: number; counted: number; ignored: number; refused: { unauthenticated: number; malformed: number; oversized: number } }; flags: { flag: string; killed: boolean; stage: string }[] };
}

describe('the ingest key', () => {
  it('reports outcomes: 202 with what was counted (allowlist and percentage) and ignored (ga)', async () => {
    const before = await status();
    const answer = await api('POST', outcomes(), {
      token: INGEST_KEY,
      body: { sampleRate: 0.5, outcomes: [{ flag: 'gastown', reason: 'percentage', outcome: 'error', count: 3 }, { flag: 'gastown', reason: 'allowlist', outcome: 'success', count: 4 }, { flag: 'convoys', reason: 'ga', outcome: 'success', count: 5 }] },
    });
    expect(answer.status).toBe(202);
    expect(answer.body).toEqual({ counted: 7, ignored: 5 });
    const after = await status();
    expect(after.outcomes.batches - before.outcomes.batches).toBe(1);
    expect(after.outcomes.counted - before.outcomes.counted).toBe(7);
    expect(after.outcomes.ignored - before.outcomes.ignored).toBe(5);
    expect(after.revision).toBe(before.revision);
  });

  it('can read nothing and change nothing: every other route answers 401 and the environment stays as it was', async () => {
    const before = await status();
    const reads = ['/status', '/document', '/audit', '/history', '/flags/gastown/plan'];
    for (const path of reads) {
      const answer = await worker.fetch(new Request(`https://control.test${env('production', path)}`, { headers: { authorization: `Bearer ${INGEST_KEY}` } }));
      expect(answer.status, path).toBe(401);
      expect(await answer.text()).not.toContain('gastown_kill_switch');
    }
    const changes: [string, unknown][] = [
      ['/flags/gastown/kill', { reason: 'x' }],
      ['/flags/gastown/stage', { stage: 'ga', reason: 'x' }],
      ['/flags/gastown/percent', { value: 100, reason: 'x' }],
      ['/flags/gastown/plan', { steps: [50, 100], every: '1h', reason: 'x' }],
      ['/rollback', { revision: 1, reason: 'x' }],
    ];
    for (const [path, body] of changes) {
      const answer = await worker.fetch(new Request(`https://control.test${env('production', path)}`, { method: 'POST', headers: { authorization: `Bearer ${INGEST_KEY}`, 'content-type': 'application/json' }, body: JSON.stringify(body) }));
      expect(answer.status, path).toBe(401);
    }
    // Nor as the document endpoint's environment key, nor as a header of its own.
    const document = await worker.fetch(new Request('https://control.test/api/v1/environment-document/', { headers: { 'x-environment-key': INGEST_KEY } }));
    expect(document.status).toBe(401);
    expect((await worker.fetch(new Request('https://control.test/v1/environments', { headers: { authorization: `Bearer ${INGEST_KEY}` } }))).status).toBe(401);
    const after = await status();
    expect(after.revision).toBe(before.revision);
    expect(after.flags).toEqual(before.flags);
  });

  it('is the only credential ingestion takes: admin tokens, the server key and no key get 401, counted, nothing stored', async () => {
    const before = await status();
    for (const token of [TOKENS.owner, TOKENS.operator, SERVER_KEYS.production, `${INGEST_KEY}x`, null]) {
      const answer = await api('POST', outcomes(), { token, body: batch(50, 'error') });
      expect(answer.status).toBe(401);
      expect(answer.body.error).toBe('unauthenticated');
    }
    // An environment without an ingest key takes no outcomes at all.
    expect((await api('POST', outcomes('staging'), { token: INGEST_KEY, body: batch(1) })).status).toBe(401);
    const after = await status();
    expect(after.outcomes.refused.unauthenticated - before.outcomes.refused.unauthenticated).toBe(5);
    expect(after.outcomes.counted).toBe(before.outcomes.counted);
    expect(after.outcomes.batches).toBe(before.outcomes.batches);
  });
});

describe('refused batches', () => {
  it('malformed: 400 naming the field, counted, nothing stored', async () => {
    const before = await status();
    const bad: { rawBody?: string; body?: unknown; headers?: Record<string, string>; field: RegExp }[] = [
      { rawBody: '{"sampleRate": 1, "outcomes": [', field: /^body$/ },
      { rawBody: '\uFEFF', field: /^body$/ },
      { body: batch(1), headers: { 'content-type': 'text/plain' }, field: /^body$/ },
      { body: { outcomes: [] }, field: /^sampleRate$/ },
      { body: { sampleRate: 0, outcomes: [] }, field: /^sampleRate$/ },
      { body: batch(0), field: /^outcomes\.0\.count$/ },
      { body: batch(10_001), field: /^outcomes\.0\.count$/ },
      { body: batch(1.5), field: /^outcomes\.0\.count$/ },
      { body: batch(1, 'error', 'vip'), field: /^outcomes\.0\.reason$/ },
      { body: { sampleRate: 1, outcomes: [{ flag: 'gastown', reason: 'percentage', outcome: 'crash', count: 1 }] }, field: /^outcomes\.0\.outcome$/ },
      { body: { sampleRate: 1, outcomes: [{ flag: 'nope', reason: 'percentage', outcome: 'error', count: 1 }] }, field: /^outcomes\.0\.flag$/ },
      { body: { ...batch(1), identity: 'u-1' }, field: /^body$|identity/ },
      { body: { sampleRate: 1, outcomes: Array.from({ length: 1_001 }, () => ({ flag: 'gastown', reason: 'percentage', outcome: 'error', count: 1 })) }, field: /^outcomes$/ },
      // A batch with one bad entry is refused whole: its good entries are not stored either.
      { body: { sampleRate: 1, outcomes: [{ flag: 'gastown', reason: 'percentage', outcome: 'error', count: 500 }, { flag: 'gastown', reason: 'percentage', outcome: 'error', count: -1 }] }, field: /^outcomes\.1\.count$/ },
    ];
    for (const [i, { field, ...request }] of bad.entries()) {
      const answer = await api('POST', outcomes(), { token: INGEST_KEY, ...request });
      expect(answer.status, `case ${i}: ${JSON.stringify(answer.body)}`).toBe(400);
      expect(answer.body.error).toBe('bad-request');
      expect(answer.body.field, `case ${i}`).toMatch(field);
      expect(JSON.stringify(answer.body)).not.toMatch(/at \w+ \(|\.ts:\d+/);
    }
    const after = await status();
    expect(after.outcomes.refused.malformed - before.outcomes.refused.malformed).toBe(bad.length);
    expect(after.outcomes.counted).toBe(before.outcomes.counted);
    expect(after.outcomes.batches).toBe(before.outcomes.batches);
  });

  it('oversized: 413, counted, nothing stored (declared, chunked, and past the Worker limit)', async () => {
    const before = await status();
    const entry = { flag: 'gastown', reason: 'percentage', outcome: 'error', count: 1 };
    // A valid batch, padded with spaces to 140 KB: over the 128 KiB bound though the schema would take it.
    const big = JSON.stringify({ sampleRate: 1, outcomes: [entry] }) + ' '.repeat(140 * 1024);
    expect((await api('POST', outcomes(), { token: INGEST_KEY, rawBody: big })).status).toBe(413);
    const huge = JSON.stringify({ sampleRate: 1, outcomes: [entry] }) + ' '.repeat(300 * 1024);
    expect((await api('POST', outcomes(), { token: INGEST_KEY, rawBody: huge })).status).toBe(413);
    // Chunked: no Content-Length, counted as it arrives.
    const chunks = new ReadableStream<Uint8Array>({
      start(controller) {
        const piece = new TextEncoder().encode(' '.repeat(8 * 1024));
        controller.enqueue(new TextEncoder().encode(JSON.stringify({ sampleRate: 1, outcomes: [entry] })));
        for (let i = 0; i < 20; i += 1) controller.enqueue(piece);
        controller.close();
      },
    });
    const chunked = await worker.fetch(new Request(`https://control.test${outcomes()}`, { method: 'POST', headers: { authorization: `Bearer ${INGEST_KEY}`, 'content-type': 'application/json' }, body: chunks, duplex: 'half' } as RequestInit));
    expect(chunked.status).toBe(413);
    expect(((await chunked.json()) as { error: string }).error).toBe('bad-request');
    const after = await status();
    expect(after.outcomes.refused.oversized - before.outcomes.refused.oversized).toBe(3);
    expect(after.outcomes.counted).toBe(before.outcomes.counted);
  });

  it('is in the OpenAPI document with its own security scheme', async () => {
    const spec = (await (await worker.fetch(new Request('https://control.test/v1/openapi.json'))).json()) as { paths: Record<string, Record<string, { security: unknown; responses: Record<string, unknown> }>>; components: { securitySchemes: Record<string, unknown> } };
    const route = spec.paths['/v1/environments/{environment}/outcomes']?.post;
    expect(route?.security).toEqual([{ ingest: [] }]);
    expect(Object.keys(route?.responses ?? {})).toEqual(expect.arrayContaining(['202', '400', '401', '413']));
    expect(spec.components.securitySchemes.ingest).toMatchObject({ type: 'http', scheme: 'bearer' });
  });
});
