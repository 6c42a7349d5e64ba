/** @jsxImportSource hono/jsx */
// The guard parts of the admin flag page rendered as the server renders them: each state of the
// window in words, a trip at the top only while the flag is killed, the revive link where the
// kill-switch is, and the live region always present (so a trip can appear without a reload).
import { describe, expect, it } from 'vitest';
import type { FlagStatus, Plan } from '../../control/admin/backend';
import { GuardAlert, GuardDetails } from '../../control/admin/views/guard';
import type { PageContext } from '../../control/admin/views/layout';

const ctx: PageContext = { environment: 'production', environments: ['production'], actor: 'ops', role: 'operator', csrf: 'csrf-token', nonce: 'n', revision: 7, base: '/admin' };
const guard = { errorRate: 0.02, minSamples: 200, window: '10m', windowMs: 600_000 };
const plan: Plan & { guard: typeof guard } = {
  id: 2,
  flag: 'multiRig',
  status: 'running',
  steps: [10, 50],
  every: '1h',
  everyMs: 3_600_000,
  startAt: '2031-01-06T09:00:00.000Z',
  then: null,
  createdBy: 'token:ci',
  createdAt: '2031-01-06T09:00:00.000Z',
  reason: 'r',
  schedule: [],
  next: null,
  paused: null,
  ended: null,
  guard,
  guardState: null,
  guardWindow: { since: '2031-01-06T09:50:00.000Z', samples: 400, errors: 4, rate: 0.01 },
};
const flag: FlagStatus = {
  flag: 'multiRig',
  feature: 'multiRig',
  parent: 'gastown',
  stage: 'percentage',
  killed: false,
  killedBy: null,
  allowlist: { users: [], orgs: [] },
  percentage: { value: 10, by: 'user' },
  lastChange: null,
};
const outcomes = { batches: 3, counted: 400, ignored: 0, refused: { unauthenticated: 0, malformed: 2, oversized: 1 } };
const tripped = { ...plan, status: 'paused' as const, guardState: { trippedAt: '2031-01-06T10:00:00.000Z', rate: 0.05, samples: 220 } };

const html = async (element: unknown) => String(await (element as { toString(): Promise<string> | string }).toString());

describe('the guard on the flag page', () => {
  it('reads the window in words: under, above, under-sampled, killed, not watching', async () => {
    expect(await html(<GuardDetails plan={plan} killed={false} outcomes={outcomes} />)).toContain('4 errors in 400 outcomes since <time datetime="2031-01-06T09:50:00.000Z">2031-01-06T09:50:00.000Z</time> (1%): <strong class="ok">under the threshold.</strong>');
    expect(await html(<GuardDetails plan={{ ...plan, guardWindow: { ...plan.guardWindow!, samples: 199, errors: 50, rate: 50 / 199 } }} killed={false} outcomes={null} />)).toContain('not enough samples yet (199 of 200)');
    expect(await html(<GuardDetails plan={{ ...plan, guardWindow: { ...plan.guardWindow!, errors: 12, rate: 0.03 } }} killed={false} outcomes={null} />)).toContain('above the threshold.');
    expect(await html(<GuardDetails plan={tripped} killed={true} outcomes={null} />)).toContain('the flag is killed; the guard does not look until it is revived.');
    expect(await html(<GuardDetails plan={{ ...plan, status: 'done', guardWindow: null }} killed={false} outcomes={null} />)).toContain('The guard is not watching: the plan is done.');
    expect(await html(<GuardDetails plan={plan} killed={false} outcomes={outcomes} />)).toContain('3 batches taken: 400 outcomes counted (allowlist or percentage), 0 ignored (GA). Refused, nothing stored: 0 without the ingest key, 2 malformed, 1 oversized.');
  });

  it('shows a trip at the top only while the flag is killed, linking to the kill-switch that revives it', async () => {
    const empty = await html(<GuardAlert ctx={ctx} flag={flag} plan={tripped} killSwitchOf="gastown" />);
    expect(empty).toBe('<div id="guard-alert" data-live="true"></div>');
    const own = await html(<GuardAlert ctx={ctx} flag={{ ...flag, killed: true }} plan={tripped} killSwitchOf="multiRig" />);
    expect(own).toContain('The guard tripped: multiRig is killed');
    expect(own).toContain('href="#kill-switch"');
    const parent = await html(<GuardAlert ctx={ctx} flag={{ ...flag, killedBy: 'gastown' }} plan={tripped} killSwitchOf="gastown" />);
    expect(parent).toContain('5% errors</strong> in <strong data-testid="guard-alert-samples">220 outcomes</strong>');
    expect(parent).toContain('href="/admin/production/flags/gastown#kill-switch"');
    expect(await html(<GuardAlert ctx={ctx} flag={{ ...flag, killed: true }} plan={{ ...tripped, guardState: null }} killSwitchOf="multiRig" />)).not.toContain('tripped');
  });
});
