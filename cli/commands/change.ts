import type { ChangeResult } from '../backend';
import { describeChange } from '../audit/entry';
import { resolveActor } from '../actor';
import { openContext, resolveFlag, type Context } from '../context';
import type { CliIO } from '../io';
import { printable } from '../output/escape';
import { painter } from '../output/table';
import type { Plan, PlanState } from '../rollout/plan';

/** The parsed options every changing command shares. */
export interface ChangeValues {
  readonly config?: string | undefined;
  readonly backend?: string | undefined;
  readonly env?: string | undefined;
  readonly json?: boolean | undefined;
  readonly reason?: string | undefined;
  readonly actor?: string | undefined;
}

/**
 * Runs one change through the backend and reports it: the shared body of stage, allow, disallow,
 * percent, kill and revive. `plan` runs inside the backend's lock against the latest state.
 *
 * @example
 * ```ts
 * return runChange(io, values, { command: 'kill', args, flag: 'gastown', plan: (s, f) => planKill(s, f, true) });
 * ```
 */
export async function runChange(
  io: CliIO,
  values: ChangeValues,
  request: { readonly command: string; readonly args: readonly string[]; readonly flag: string | undefined; readonly plan: (state: PlanState, flag: string) => Plan },
  context?: Context,
): Promise<number> {
  const { manifest, backend } = context ?? (await openContext(io, values));
  const flag = resolveFlag(manifest, request.flag);
  const result = await backend.change({
    flag,
    command: request.command,
    args: request.args,
    actor: resolveActor(values.actor, io),
    reason: values.reason ?? null,
    plan: (state) => request.plan(state, flag),
  });
  if (values.json) {
    io.stdout(`${JSON.stringify({ backend: backend.kind, ...withoutEntry(result) }, null, 2)}\n`);
  } else {
    io.stdout(describe(result, io.isTTY));
  }
  return 0;
}

function withoutEntry(result: ChangeResult) {
  const { entry: _entry, ...rest } = result;
  return rest;
}

function describe(result: ChangeResult, isTTY: boolean): string {
  const paint = painter(isTTY);
  const lines = [
    result.changed
      ? `${paint('bold', result.flag)}: ${printable(describeChange(result.before, result.after))}${result.revision ? paint('dim', ` (revision ${result.revision})`) : ''}`
      : `${paint('bold', result.flag)}: no change (stage ${result.before.stage}${result.before.killed ? ', killed' : ''})`,
    ...result.notes.map((note) => `${paint('yellow', 'note:')} ${printable(note)}`),
  ];
  return `${lines.join('\n')}\n`;
}
