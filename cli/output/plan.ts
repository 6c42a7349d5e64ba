import type { PlanJson } from '../../control/plans/view';
import { printable } from './escape';
import { painter, table } from './table';

/**
 * A rollout plan for people: its status and cadence, every step with what happened to it and
 * when (or when it is due), the next step, a pause or an end, and the guard. Text from outside
 * (actors, reasons) goes through `printable`.
 *
 * @example
 * ```ts
 * io.stdout(describePlan(plan, io.isTTY));
 * ```
 */
export function describePlan(plan: PlanJson, isTTY: boolean): string {
  const paint = painter(isTTY);
  const status = plan.status === 'paused' ? paint('yellow', 'paused') : plan.status === 'cancelled' ? paint('red', 'cancelled') : plan.status === 'done' ? paint('green', 'done') : plan.status;
  const lines = [
    `${paint('bold', plan.flag)}: plan ${plan.id}, ${status} — ${plan.steps.map((step) => `${step}%`).join(' -> ')}${plan.then === 'ga' ? ' -> GA' : ''}, every ${plan.every}`,
    `created by ${printable(plan.createdBy)} at ${plan.createdAt}: ${printable(plan.reason)}`,
    '',
  ];
  const rows = plan.schedule.map((step) => {
    const state = step.state === 'applied' ? paint('green', 'applied') : step.state === 'skipped' ? paint('yellow', 'skipped') : plan.next?.index === step.index ? paint('bold', 'next') : 'pending';
    const when = step.at ?? step.dueAt ?? (plan.status === 'paused' ? 'after resume' : '-');
    return [`${step.index + 1}`, step.percent === null ? 'GA' : `${step.percent}%`, state, when, step.revision === null ? '-' : String(step.revision)];
  });
  const body = table(['STEP', 'TARGET', 'STATE', 'AT (OR DUE)', 'REVISION'], rows);
  const tail: string[] = [];
  if (plan.next) tail.push(`next: step ${plan.next.index + 1} (${plan.next.percent === null ? 'GA' : `${plan.next.percent}%`}) at ${plan.next.at}`);
  if (plan.paused) tail.push(`${paint('yellow', 'paused')} by ${printable(plan.paused.by)} at ${plan.paused.at}: ${printable(plan.paused.reason)}`);
  if (plan.ended) tail.push(`${plan.status} at ${plan.ended.at} by ${printable(plan.ended.by)}: ${printable(plan.ended.reason)}`);
  if (plan.guard) {
    const guard = `guard: kill when errors pass ${percent(plan.guard.errorRate)} with at least ${plan.guard.minSamples} outcomes in ${plan.guard.window}`;
    tail.push(
      plan.guardState
        ? `${guard} — ${paint('red', 'TRIPPED')} at ${plan.guardState.trippedAt}: ${percent(plan.guardState.rate)} errors in ${plan.guardState.samples} outcomes`
        : `${guard} — not tripped`,
    );
  }
  return `${lines.join('\n')}${body}${tail.length > 0 ? `\n${tail.join('\n')}\n` : ''}`;
}

function percent(rate: number): string {
  return `${+(rate * 100).toFixed(2)}%`;
}
