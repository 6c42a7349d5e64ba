import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Caller } from '../auth/roles';
import { ControlError } from '../errors';
import type { ControlState } from '../state/control-state';
import { auditView } from '../api/environment-api';
import { DURATION_FIX } from './duration';
import { planRoutes } from './routes';
import type { PlanOutcome, PlanStore } from './store';
import { ACTIVE_STATUSES, type PlanRecord } from './plan';
import { planView, type GuardWindowReading } from './view';

export interface PlanApiOptions {
  readonly state: () => ControlState;
  readonly plans: () => PlanStore;
  /** After a plan changed: the Durable Object re-arms its alarm (awaited, so the answer means it is armed). */
  readonly scheduled: () => Promise<void>;
  /** What an active plan's guard sees now (control/guard); without it `guardWindow` is null. */
  readonly guardWindow?: (plan: PlanRecord) => GuardWindowReading | null;
}

type Env = { Variables: { caller: Caller } };

/**
 * Adds the plan routes to an environment's admin API (authentication, roles and body limits are
 * the API's own middleware): create, read, pause, resume, cancel. Each change is audited with the
 * caller as actor and a reason; bad input answers 400 naming the field and the fix.
 *
 * @example
 * ```ts
 * registerPlanRoutes(app, { state: () => state, plans: () => plans, scheduled: () => arm() });
 * ```
 */
export function registerPlanRoutes(app: OpenAPIHono<Env>, options: PlanApiOptions): void {
  // Only an active plan's guard watches (control/guard looks at the flag's active plan).
  const view = (plan: PlanRecord) => planView(plan, ACTIVE_STATUSES.includes(plan.status) ? (options.guardWindow?.(plan) ?? null) : null);
  const answer = (outcome: PlanOutcome) => ({ plan: view(outcome.plan), changed: outcome.changed, audit: outcome.audit ? auditView(outcome.audit) : null, notes: [...outcome.notes] });
  const activeOf = (flagInput: string) => {
    const flag = options.state().resolveFlag(flagInput);
    const plan = options.plans().activePlan(flag);
    if (!plan) throw new ControlError('not-found', `${flag} has no active plan`, { field: 'flag', fix: `create one with flagstage ramp ${flag} --steps 1,5,25,50,100 --every 6h --reason …` });
    return plan;
  };

  app.openapi(
    planRoutes.createPlan,
    async (c) => {
      const body = c.req.valid('json');
      const outcome = options.plans().create(c.req.valid('param').flag, body, c.get('caller').actor);
      await options.scheduled();
      return c.json(answer(outcome), 201);
    },
    planHook,
  );

  app.openapi(
    planRoutes.getPlan,
    (c) => {
      const flag = options.state().resolveFlag(c.req.valid('param').flag);
      const plan = options.plans().planFor(flag);
      if (!plan) throw new ControlError('not-found', `${flag} has no plan`, { field: 'flag', fix: `create one with flagstage ramp ${flag} --steps 1,5,25,50,100 --every 6h --reason …` });
      return c.json({ plan: view(plan) }, 200);
    },
    planHook,
  );

  const act = (verb: 'pause' | 'resume' | 'cancel') =>
    app.openapi(
      planRoutes[`${verb}Plan`],
      async (c) => {
        const plan = activeOf(c.req.valid('param').flag);
        const { reason } = c.req.valid('json');
        const actor = c.get('caller').actor;
        const plans = options.plans();
        const outcome = verb === 'pause' ? plans.pausePlan(plan.id, actor, reason) : verb === 'resume' ? plans.resumePlan(plan.id, actor, reason) : plans.cancelPlan(plan.id, actor, reason);
        await options.scheduled();
        return c.json(answer(outcome), 200);
      },
      planHook,
    );
  act('pause');
  act('resume');
  act('cancel');
}

/** Validation failures of the plan routes: the field and a fix that says what a plan takes. */
function planHook(result: { success: boolean; error?: { issues: readonly { path: readonly PropertyKey[]; message: string; code: string }[] }; target?: string }): undefined {
  if (result.success) return undefined;
  const issue = result.error?.issues[0];
  const field = issue && issue.path.length > 0 ? issue.path.map(String).join('.') : result.target === 'json' ? 'body' : String(result.target ?? 'body');
  throw new ControlError('bad-request', `${field}: ${issue?.message ?? 'invalid'}`, { field, fix: PLAN_FIXES[field.replace(/\.\d+$/, '')] ?? (issue?.code === 'unrecognized_keys' ? 'remove the fields a plan does not take: steps, every, start, then, guard, reason' : 'see /v1/openapi.json for what a plan takes') });
}

const PLAN_FIXES: Record<string, string> = {
  steps: 'list 1 to 20 increasing percentages above 0 and at most 100, e.g. [1, 5, 25, 50, 100]',
  every: DURATION_FIX,
  start: 'give an ISO 8601 time with its zone (2026-12-01T09:00:00Z) or a delay from now (30m)',
  then: 'use "ga", or leave it out',
  guard: 'send { "errorRate": 0.02, "minSamples": 200, "window": "10m" }',
  'guard.errorRate': 'give a fraction above 0 and at most 1 (0.02 for 2%)',
  'guard.minSamples': 'give a whole number of outcomes from 1 to 10,000,000 (e.g. 200)',
  'guard.window': DURATION_FIX,
  reason: 'say why in "reason" (1 to 2,000 characters); it goes to the audit log',
};
