/** @jsxImportSource hono/jsx */
import type { Plan, Status } from '../backend';
import { GuardDetails, percent } from './guard';
import { Csrf, envPath, Reason, type PageContext } from './layout';

export interface PlanSectionProps {
  readonly ctx: PageContext;
  readonly flag: string;
  /** The flag's active plan, else its latest; null when it never had one. */
  readonly plan: Plan | null;
  /** Why the person cannot change anything (a viewer), or null. */
  readonly operatorWhy: string | null;
  /** The flag is killed (itself or through a parent). */
  readonly killed?: boolean;
  /** `status.outcomes`, shown with the guard. */
  readonly outcomes?: Status['outcomes'] | null;
}

const ACTIVE = ['scheduled', 'running', 'paused'];

/**
 * The flag's rollout plan: its steps with what was applied when (or skipped, when the control plane
 * was down past them), the next step and its time, a pause and why, the guard and what it measured
 * if it tripped; forms to pause, resume or cancel it, or to create one when there is none active.
 */
export function PlanSection(props: PlanSectionProps) {
  const { ctx, plan, flag, operatorWhy } = props;
  const action = (verb: string) => envPath(ctx, `/flags/${encodeURIComponent(flag)}/plan/${verb}`);
  const active = plan !== null && ACTIVE.includes(plan.status);
  const applied = plan ? plan.schedule.filter((step) => step.state === 'applied').length : 0;
  return (
    <section id="plan" data-live aria-labelledby="plan-title">
      <h2 id="plan-title">Rollout plan</h2>
      {plan === null ? (
        <p class="muted" data-testid="plan-status">
          No rollout plan. A plan ramps the percentage through steps on a schedule, each step an audited change.
        </p>
      ) : (
        <>
          <p data-testid="plan-status">
            Plan {plan.id}: <strong class={plan.status === 'paused' || plan.status === 'cancelled' ? 'note' : plan.status === 'done' ? 'ok' : ''}>{plan.status}</strong>, {applied} of {plan.schedule.length} steps applied, every {plan.every}
            {plan.then === 'ga' ? ', then GA' : ''}. Created by <span class="id">{plan.createdBy}</span> at {plan.createdAt} (<q>{plan.reason}</q>).
          </p>
          <progress max={plan.schedule.length} value={applied} aria-label={`${applied} of ${plan.schedule.length} steps applied`}></progress>
          {plan.next ? (
            <p data-testid="plan-next">
              Next: step {plan.next.index + 1} ({plan.next.percent === null ? 'GA' : `${plan.next.percent}%`}) at <time datetime={plan.next.at}>{plan.next.at}</time>.
            </p>
          ) : null}
          {plan.paused ? (
            <p class="note" data-testid="plan-paused">
              Paused by <span class="id">{plan.paused.by}</span> at {plan.paused.at}: {plan.paused.reason}
            </p>
          ) : null}
          {plan.ended ? (
            <p data-testid="plan-ended">
              {plan.status === 'cancelled' ? 'Cancelled' : 'Done'} at {plan.ended.at} by <span class="id">{plan.ended.by}</span>: {plan.ended.reason}
            </p>
          ) : null}
          {plan.guard ? (
            <p data-testid="plan-guard" class={plan.guardState ? 'killed' : ''}>
              Guard: kill {flag} when the error rate passes {percent(plan.guard.errorRate)} with at least {plan.guard.minSamples} outcomes in {plan.guard.window}.{' '}
              {plan.guardState
                ? `Tripped at ${plan.guardState.trippedAt}: ${percent(plan.guardState.rate)} errors in ${plan.guardState.samples} outcomes.`
                : 'Not tripped.'}
            </p>
          ) : null}
          {plan.guard ? <GuardDetails plan={{ ...plan, guard: plan.guard }} killed={props.killed ?? false} outcomes={props.outcomes ?? null} /> : null}
          <table data-testid="plan-steps">
            <caption class="muted">Steps of plan {plan.id}</caption>
            <thead>
              <tr>
                <th scope="col">Step</th>
                <th scope="col">Target</th>
                <th scope="col">State</th>
                <th scope="col">Applied or due</th>
                <th scope="col">Revision</th>
              </tr>
            </thead>
            <tbody>
              {plan.schedule.map((step) => (
                <tr data-step={String(step.index + 1)}>
                  <td>{step.index + 1}</td>
                  <td>{step.percent === null ? 'GA' : `${step.percent}%`}</td>
                  <td>{step.state === 'pending' && plan.next?.index === step.index ? 'next' : step.state}</td>
                  <td>{step.at ?? step.dueAt ?? (plan.status === 'paused' ? 'after resume' : '–')}</td>
                  <td>{step.revision === null ? '–' : String(step.revision)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}

      {active && plan ? (
        <form method="post" action={action(plan.status === 'paused' ? 'resume' : 'pause')}>
          <Csrf ctx={ctx} />
          <fieldset disabled={operatorWhy !== null} aria-describedby={operatorWhy ? 'why-disabled' : undefined}>
            <legend>{plan.status === 'paused' ? `Resume the plan: the next step comes one interval (${plan.every}) after now` : 'Pause the plan: no step runs until it is resumed'}</legend>
            <Reason id="plan-control-reason" />
            <button type="submit">{plan.status === 'paused' ? 'Resume plan' : 'Pause plan'}</button>
          </fieldset>
        </form>
      ) : null}
      {active && plan ? (
        <form method="post" action={action('cancel')}>
          <Csrf ctx={ctx} />
          <fieldset disabled={operatorWhy !== null} aria-describedby={operatorWhy ? 'why-disabled' : undefined}>
            <legend>Cancel the plan: no further step; {flag} stays where it is</legend>
            <Reason id="plan-cancel-reason" />
            <button type="submit" class="danger">
              Cancel plan
            </button>
          </fieldset>
        </form>
      ) : null}
      {active ? null : (
        <form method="post" action={action('create')}>
          <Csrf ctx={ctx} />
          <fieldset disabled={operatorWhy !== null} aria-describedby={operatorWhy ? 'why-disabled' : undefined}>
            <legend>Create a rollout plan for {flag}</legend>
            <label for="plan-steps-input">
              Steps (increasing percentages, separated by commas)
              <br />
              <input type="text" id="plan-steps-input" name="steps" required value="1,5,25,50,100" />
            </label>
            <label for="plan-every">
              Every (a whole number and s, m, h or d)
              <br />
              <input type="text" id="plan-every" name="every" required value="6h" />
            </label>
            <label for="plan-start">
              Start (ISO time with zone, or a delay such as 2h; empty: now)
              <br />
              <input type="text" id="plan-start" name="start" />
            </label>
            <label for="plan-then">
              <input type="checkbox" id="plan-then" name="then" value="ga" /> Then GA, one interval after the last step
            </label>
            <label for="plan-guard-rate">
              Guard: kill when the error rate passes (%, empty: no guard)
              <br />
              <input type="text" id="plan-guard-rate" name="guardErrorRate" />
            </label>
            <label for="plan-guard-samples">
              … with at least this many outcomes
              <br />
              <input type="number" id="plan-guard-samples" name="guardMinSamples" min={1} value="200" />
            </label>
            <label for="plan-guard-window">
              … in a window of
              <br />
              <input type="text" id="plan-guard-window" name="guardWindow" value="10m" />
            </label>
            <Reason id="plan-reason" />
            <button type="submit">Create plan</button>
          </fieldset>
        </form>
      )}
    </section>
  );
}
