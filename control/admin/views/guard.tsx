/** @jsxImportSource hono/jsx */
import type { FlagStatus, Plan, Status } from '../backend';
import { count } from '../effects';
import { envPath, type PageContext } from './layout';

/**
 * A plan's guard on the flag page: its settings, what its window holds now (or that it holds too
 * few outcomes to judge), the environment's outcome reports, and a trip. The guard never revives:
 * a trip says so and points at the revive form, where a person decides.
 */

/** A rate as the page shows it: `5.12%`, `2%`. */
export function percent(rate: number): string {
  return `${+(rate * 100).toFixed(2)}%`;
}

type Guarded = Plan & { readonly guard: NonNullable<Plan['guard']> };

export interface GuardDetailsProps {
  readonly plan: Guarded;
  /** The flag is killed (itself or through a parent): the guard does not look while it is. */
  readonly killed: boolean;
  /** `status.outcomes`: the environment's outcome batches, taken and refused. */
  readonly outcomes: Status['outcomes'] | null;
}

/** The guard's settings, its current window and the environment's outcome reports (inside the plan section). */
export function GuardDetails(props: GuardDetailsProps) {
  const { plan, outcomes } = props;
  const { guard, guardWindow: window, guardState: trip } = plan;
  return (
    <div data-testid="guard">
      <h3>Guard</h3>
      <dl>
        <dt>Error-rate threshold</dt>
        <dd data-testid="guard-threshold">above {percent(guard.errorRate)}</dd>
        <dt>Minimum samples</dt>
        <dd data-testid="guard-min-samples">{count(guard.minSamples, 'outcome')} in the window</dd>
        <dt>Window</dt>
        <dd data-testid="guard-window">{guard.window}</dd>
        <dt>Now</dt>
        <dd data-testid="guard-now">
          {window === null ? (
            `The guard is not watching: the plan is ${plan.status}.`
          ) : (
            <>
              {count(window.errors, 'error')} in {count(window.samples, 'outcome')} since <time datetime={window.since}>{window.since}</time>
              {window.samples > 0 ? ` (${percent(window.rate)})` : ''}:{' '}
              {props.killed ? (
                <strong>the flag is killed; the guard does not look until it is revived.</strong>
              ) : window.samples < guard.minSamples ? (
                <strong class="note">not enough samples yet ({window.samples} of {guard.minSamples}); the guard never judges an under-sampled window.</strong>
              ) : window.rate > guard.errorRate ? (
                <strong class="killed">above the threshold.</strong>
              ) : (
                <strong class="ok">under the threshold.</strong>
              )}
            </>
          )}
        </dd>
        {trip ? (
          <>
            <dt>Last trip</dt>
            <dd data-testid="guard-last-trip">
              <time datetime={trip.trippedAt}>{trip.trippedAt}</time>: {percent(trip.rate)} errors in {count(trip.samples, 'outcome')}; it turned the kill-switch on and paused the plan.
            </dd>
          </>
        ) : null}
        {outcomes ? (
          <>
            <dt>Reports (environment)</dt>
            <dd data-testid="guard-reports">
              {outcomes.batches} {outcomes.batches === 1 ? 'batch' : 'batches'} taken: {count(outcomes.counted, 'outcome')} counted (allowlist or percentage), {outcomes.ignored} ignored (GA). Refused, nothing stored:{' '}
              {outcomes.refused.unauthenticated} without the ingest key, {outcomes.refused.malformed} malformed, {outcomes.refused.oversized} oversized.
            </dd>
          </>
        ) : null}
      </dl>
    </div>
  );
}

export interface GuardAlertProps {
  readonly ctx: PageContext;
  readonly flag: FlagStatus;
  readonly plan: Plan | null;
  /** The flag that holds this flag's kill-switch (where the revive form is), or null. */
  readonly killSwitchOf: string | null;
}

/**
 * The top of the flag page when a guard has killed the flag: when, what it measured, what it did,
 * and that reviving is a person's decision (a link to the revive form). Always rendered, empty
 * otherwise, so the live script can fill it when a trip happens while the page is open.
 */
export function GuardAlert(props: GuardAlertProps) {
  const { ctx, flag, plan, killSwitchOf } = props;
  const trip = plan?.guardState ?? null;
  const showing = plan !== null && plan.guard !== null && trip !== null && (flag.killed || flag.killedBy !== null);
  const reviveHref = killSwitchOf === null || killSwitchOf === flag.flag ? '#kill-switch' : `${envPath(ctx, `/flags/${encodeURIComponent(killSwitchOf)}`)}#kill-switch`;
  return (
    <div id="guard-alert" data-live>
      {showing && plan && plan.guard && trip ? (
        <section class="banner error" aria-labelledby="guard-alert-title" data-testid="guard-alert">
          <h2 id="guard-alert-title">The guard tripped: {flag.flag} is killed</h2>
          <p>
            At <time datetime={trip.trippedAt}>{trip.trippedAt}</time> the guard of plan {plan.id} measured <strong data-testid="guard-alert-rate">{percent(trip.rate)} errors</strong> in{' '}
            <strong data-testid="guard-alert-samples">{count(trip.samples, 'outcome')}</strong> (threshold {percent(plan.guard.errorRate)}, at least {plan.guard.minSamples} in {plan.guard.window}).
          </p>
          <p>
            It turned the kill-switch on (everyone but admins lost {flag.flag} for new access; work already in flight continues) and paused the plan.
          </p>
          <p>
            The guard never revives anything: reviving is a human decision. <a href={reviveHref}>Review and revive {flag.flag}</a> once the cause is understood, then resume the plan.
          </p>
        </section>
      ) : null}
    </div>
  );
}
