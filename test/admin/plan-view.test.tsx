/** @jsxImportSource hono/jsx */
// The plan section of the admin flag page rendered as the server renders it: a tripped guard shows
// its rate and samples, every state reads in words, and user text is escaped.
import { describe, expect, it } from 'vitest';
import type { Plan } from '../../control/admin/backend';
import { PlanSection } from '../../control/admin/views/plan';
import type { PageContext } from '../../control/admin/views/layout';

const ctx: PageContext = { environment: 'production', environments: ['production'], actor: 'ops', role: 'operator', csrf: 'csrf-token', nonce: 'n', revision: 7, base: '/admin' };

const plan: Plan = {
  id: 4,
  flag: 'gastown',
  status: 'paused',
  steps: [1, 5, 25],
  every: '6h',
  everyMs: 21_600_000,
  startAt: '2031-01-06T09:00:00.000Z',
  then: 'ga',
  createdBy: 'token:ci',
  createdAt: '2031-01-06T08:59:00.000Z',
  reason: 'launch <script>alert(1)</script>',
  schedule: [
    { index: 0, percent: 1, stage: 'percentage', dueAt: '2031-01-06T09:00:00.000Z', state: 'applied', at: '2031-01-06T09:00:01.000Z', revision: 12, auditId: 30 },
    { index: 1, percent: 5, stage: 'percentage', dueAt: '2031-01-06T15:00:00.000Z', state: 'applied', at: '2031-01-06T15:00:00.500Z', revision: 13, auditId: 31 },
    { index: 2, percent: 25, stage: 'percentage', dueAt: null, state: 'pending', at: null, revision: null, auditId: null },
    { index: 3, percent: null, stage: 'ga', dueAt: null, state: 'pending', at: null, revision: null, auditId: null },
  ],
  next: null,
  paused: { at: '2031-01-06T17:12:00.000Z', by: 'guard:4', reason: 'gastown was killed by guard:4, not by the plan' },
  ended: null,
  guard: { errorRate: 0.02, minSamples: 200, window: '10m', windowMs: 600_000 },
  guardState: { trippedAt: '2031-01-06T17:12:00.000Z', rate: 0.0512, samples: 243 },
  guardWindow: { since: '2031-01-06T17:12:10.000Z', samples: 0, errors: 0, rate: 0 },
};

async function render(props: Parameters<typeof PlanSection>[0]): Promise<string> {
  return String(await (<PlanSection {...props} />).toString());
}

describe('the admin plan section', () => {
  it('shows a tripped guard with its rate and samples, the pause, and the progress', async () => {
    const html = await render({ ctx, flag: 'gastown', plan, operatorWhy: null });
    expect(html).toContain('Plan 4: <strong class="note">paused</strong>, 2 of 4 steps applied, every 6h, then GA.');
    expect(html).toContain('Tripped at 2031-01-06T17:12:00.000Z: 5.12% errors in 243 outcomes.');
    expect(html).toContain('kill gastown when the error rate passes 2% with at least 200 outcomes in 10m');
    expect(html).toContain('Paused by <span class="id">guard:4</span>');
    expect(html).toContain('<progress max="4" value="2"');
    expect(html).toMatch(/<tr data-step="3"><td>3<\/td><td>25%<\/td><td>pending<\/td><td>after resume<\/td>/);
    expect(html).toContain('Resume plan');
    expect(html).toContain('name="csrf" value="csrf-token"');
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).toContain('launch &lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('offers a new plan when there is none, and disables every control for a viewer', async () => {
    const none = await render({ ctx, flag: 'gastown', plan: null, operatorWhy: null });
    expect(none).toContain('No rollout plan');
    expect(none).toContain('Create plan');
    const viewer = await render({ ctx, flag: 'gastown', plan: { ...plan, status: 'running', paused: null, guardState: null }, operatorWhy: 'a viewer' });
    expect(viewer).toContain('Guard: kill gastown when the error rate passes 2% with at least 200 outcomes in 10m. Not tripped.');
    expect((viewer.match(/<fieldset disabled=""/g) ?? []).length).toBe(2);
    expect(viewer).toContain('Pause plan');
  });
});
