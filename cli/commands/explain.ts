import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Identity, IdentityTraitValue } from '../../runtime/identity';
import { createFlagstage } from '../../runtime/flagstage';
import type { Explanation } from '../../runtime/policy/explanation';
import { staticSource } from '../../runtime/sources/static';
import { BACKEND_HELP, BACKEND_OPTIONS, openContext, resolveFlag } from '../context';
import { UsageError, type CliIO, type Command } from '../io';
import { painter, table } from '../output/table';
import { explain } from '../../runtime/explain/index';

export const explainCommand: Command = {
  name: 'explain',
  summary: 'why a flag is allowed or denied for an identity: the policy trace',
  help: `Usage: flagstage explain <flag> --user ID [--org ID] [--admin] [--trait KEY=VALUE]... [options]
       flagstage explain <flag> --users-file FILE

Runs the same policy the runtime runs (createFlagstage on the backend's current document) and
prints its trace: the parent check, the admin floor, the kill-switch, the segment that decided
and, for the percentage stage, the identity's bucket (0-100) against the split.

With --users-file, reads one JSON identity per line ({ "userId", "orgId", "isAdmin", "traits" })
and writes one JSON decision per line, in the same order ({ flag, allowed, reason, stage, killed,
revision, userId }).

Options:
  --user ID            the identity's user id
  --org ID             its org id
  --admin              the identity is an admin
  --trait KEY=VALUE    an extra trait (repeat)
  --users-file FILE    decide for every identity in FILE (JSON lines)
${BACKEND_HELP}

Example:
  flagstage explain convoys --user u_123 --org acme
`,
  async run(args: string[], io: CliIO): Promise<number> {
    const { values, positionals } = parseArgs({
      args,
      options: {
        ...BACKEND_OPTIONS,
        user: { type: 'string' },
        org: { type: 'string' },
        admin: { type: 'boolean', default: false },
        trait: { type: 'string', multiple: true },
        'users-file': { type: 'string' },
      },
      allowPositionals: true,
      strict: true,
    });
    const [rawFlag, ...extra] = positionals;
    if (extra.length > 0) throw new UsageError(`unexpected "${extra.join(' ')}"; usage: flagstage explain <flag> --user ID`);
    const file = values['users-file'];
    if (file === undefined && values.user === undefined) throw new UsageError('name the identity with --user ID (and --org ID, --admin), or pass --users-file FILE');
    if (file !== undefined && values.user !== undefined) throw new UsageError('use either --user or --users-file, not both');
    // Parse every input before touching the backend: a bad identity is the user's mistake, exit 1.
    const identities = file !== undefined ? readIdentities(resolve(io.cwd, file)) : [identityFrom(values.user ?? '', values.org, values.admin, values.trait)];

    const { manifest, backend } = await openContext(io, values);
    const flag = resolveFlag(manifest, rawFlag);
    const snapshot = await backend.read();
    const flags = createFlagstage({ manifest, source: staticSource(snapshot.document) });

    if (file !== undefined) {
      const lines: string[] = [];
      for (const identity of identities) {
        const decision = await flags.decide(flag, identity);
        lines.push(JSON.stringify({ ...decision, userId: identity.userId }));
      }
      io.stdout(lines.length > 0 ? `${lines.join('\n')}\n` : '');
      return 0;
    }
    const [identity] = identities;
    if (identity === undefined) return 0;
    const explanation = await explain(flags, flag, identity);
    io.stdout(values.json ? `${JSON.stringify(explanation, null, 2)}\n` : render(explanation, identity, io.isTTY));
    return 0;
  },
};

function identityFrom(userId: string, orgId: string | undefined, isAdmin: boolean, traits: readonly string[] | undefined): Identity {
  if (userId.trim() === '') throw new UsageError('--user needs a non-empty id');
  const parsed: Record<string, IdentityTraitValue> = {};
  for (const trait of traits ?? []) {
    const at = trait.indexOf('=');
    if (at <= 0) throw new UsageError(`--trait ${trait} is not KEY=VALUE`);
    parsed[trait.slice(0, at)] = trait.slice(at + 1);
  }
  return { userId, orgId: orgId ?? null, isAdmin, ...(traits && traits.length > 0 ? { traits: parsed } : {}) };
}

function readIdentities(path: string): Identity[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read --users-file ${path}: ${(error as Error).message}`);
  }
  const identities: Identity[] = [];
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new UsageError(`${path}:${index + 1}: not JSON; write one identity per line, like {"userId":"u1","orgId":"acme","isAdmin":false}`);
    }
    identities.push(toIdentity(value, `${path}:${index + 1}`));
  });
  return identities;
}

function toIdentity(value: unknown, where: string): Identity {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new UsageError(`${where}: an identity is an object like {"userId":"u1"}`);
  const record = value as Record<string, unknown>;
  if (typeof record.userId !== 'string' || record.userId === '') throw new UsageError(`${where}: "userId" must be a non-empty string`);
  if (record.orgId !== undefined && record.orgId !== null && typeof record.orgId !== 'string') throw new UsageError(`${where}: "orgId" must be a string or null`);
  if (record.isAdmin !== undefined && typeof record.isAdmin !== 'boolean') throw new UsageError(`${where}: "isAdmin" must be true or false`);
  const traits = record.traits;
  if (traits !== undefined && (typeof traits !== 'object' || traits === null || Array.isArray(traits))) throw new UsageError(`${where}: "traits" must be an object`);
  return {
    userId: record.userId,
    orgId: (record.orgId as string | null | undefined) ?? null,
    isAdmin: record.isAdmin === true,
    ...(traits === undefined ? {} : { traits: traits as Record<string, IdentityTraitValue> }),
  };
}

function render(explanation: Explanation<string>, identity: Identity, isTTY: boolean): string {
  const paint = painter(isTTY);
  const { decision } = explanation;
  const who = `user ${identity.userId}${identity.orgId ? ` (org ${identity.orgId})` : ''}${identity.isAdmin ? ', admin' : ''}`;
  const verdict = decision.allowed ? paint('green', 'ALLOWED') : paint('red', 'DENIED');
  const lines = [
    `${paint('bold', explanation.flag)} for ${who}: ${verdict} (${decision.reason})`,
    paint('dim', `stage ${explanation.stage}${explanation.killedBy ? `, killed via ${explanation.killedBy}` : ''}, revision ${decision.revision ?? 'none'}`),
    table(
      ['#', 'RULE', 'OUTCOME', 'DETAIL'],
      explanation.steps.map((step, index) => [String(index + 1), step.rule, step.outcome === 'allow' ? paint('green', step.outcome) : step.outcome === 'deny' ? paint('red', step.outcome) : step.outcome, step.detail]),
    ).trimEnd(),
  ];
  if (explanation.bucket) {
    const { bucket } = explanation;
    lines.push(`bucket ${bucket.value.toFixed(2)} by ${bucket.by}: ${bucket.inside ? 'inside' : 'outside'} the ${bucket.threshold}% split`);
  }
  if (explanation.segment) lines.push(`segment that decided in Flagsmith: ${explanation.segment}`);
  return `${lines.join('\n')}\n`;
}
