import type { EnvironmentDocument } from '../../../runtime/engine/index';
import { readRollout, sameRollout, type FlagRollout } from '../../../runtime/stages/index';
import type { AuditEntry } from '../../audit/entry';
import type { PlanJson } from '../../../control/plans/view';
// The control plane's records, as its API answers them (control/api/environment-api.ts turns each
// into JSON field for field); a change is sent as the control plane's own ChangeInput.
import type { AuditRecord, ChangeInput, ChangeOutcome, RollbackOutcome } from '../../../control/state/control-state';
import type { Backend, BackendOptions, ChangeRequest, ChangeResult, HistoryEntry, PlanAnswer, RollbackResult } from '../../backend';
import { BackendError, UsageError } from '../../io';
import { controlClient, RevisionConflict, type ControlClient } from './client';

/** How many times a change is re-planned when another writer got in between (412). */
const CONFLICT_RETRIES = 8;

/**
 * The control plane (`flagstage/control`, or `flagstage serve` locally) as a backend: `FLAGSTAGE_URL`
 * and `FLAGSTAGE_TOKEN`, the environment from `--env` / `FLAGSTAGE_ENV` (or the only one served).
 * Changes are planned here exactly as for the local backend (same notes, same refusals), then sent
 * to the API with `If-Match`: a change that lost a race is planned again on the new state. The
 * actor is whoever the token belongs to; the control plane records it, not `--actor`.
 *
 * @example
 * ```ts
 * const backend = remoteBackend({ manifest, stateDir, env: { FLAGSTAGE_URL: 'http://127.0.0.1:8790', FLAGSTAGE_TOKEN: 'fst_…' } });
 * ```
 */
export function remoteBackend(options: BackendOptions & { readonly environment?: string | undefined }): Backend {
  const { manifest } = options;
  const url = options.env.FLAGSTAGE_URL;
  const token = options.env.FLAGSTAGE_TOKEN;
  const missing = [url ? null : 'FLAGSTAGE_URL (the control plane, e.g. http://127.0.0.1:8790)', token ? null : 'FLAGSTAGE_TOKEN (a token of the control plane)'].filter(Boolean);
  if (missing.length > 0) throw new UsageError(`the remote backend needs ${missing.join(' and ')}; \`flagstage serve\` prints both`);
  if (!/^https?:\/\//.test(url ?? '')) throw new UsageError(`FLAGSTAGE_URL=${url} is not an http(s) URL`);
  const client: ControlClient = controlClient({ url: url ?? '', token: token ?? '' });
  let environment: Promise<string> | null = null;
  const environmentName = (): Promise<string> => {
    environment ??= (async () => {
      const named = options.environment ?? options.env.FLAGSTAGE_ENV;
      if (named) return named;
      const { environments } = await client.request<{ environments: string[] }>('GET', '/v1/environments');
      if (environments.length === 1 && environments[0]) return environments[0];
      throw new UsageError(`the control plane serves ${environments.join(', ')}; name one with --env NAME (or FLAGSTAGE_ENV)`);
    })();
    return environment;
  };
  const path = async (suffix: string) => `/v1/environments/${encodeURIComponent(await environmentName())}${suffix}`;

  const readDocument = async () => {
    const { revision, document } = await client.request<{ revision: number; document: EnvironmentDocument & { updated_at: string } }>('GET', await path('/document'));
    return { revision, document };
  };

  const toEntry = async (entry: AuditRecord): Promise<AuditEntry> => ({
    at: entry.at,
    actor: entry.actor,
    command: entry.command,
    args: entry.args,
    flag: entry.flag,
    reason: entry.reason,
    backend: 'remote',
    environment: await environmentName(),
    revision: String(entry.revision),
    before: entry.before,
    after: entry.after,
  });

  return {
    kind: 'remote',
    get location() {
      return `${client.url}${options.environment ?? options.env.FLAGSTAGE_ENV ? ` environment ${options.environment ?? options.env.FLAGSTAGE_ENV}` : ''}`;
    },

    async read() {
      const { document } = await readDocument();
      return { document, revision: document.updated_at, rollouts: readRollout(manifest, document) };
    },

    async change(request: ChangeRequest): Promise<ChangeResult> {
      for (let attempt = 0; attempt <= CONFLICT_RETRIES; attempt += 1) {
        const { revision, document } = await readDocument();
        const rollouts = readRollout(manifest, document);
        const before = rollouts[request.flag];
        if (before === undefined) throw new UsageError(`"${request.flag}" is not a flag of this manifest`);
        const plan = request.plan({ manifest, rollouts });
        if (sameRollout(before, plan.after)) {
          return { flag: request.flag, changed: false, before, after: before, revision: document.updated_at, notes: plan.notes, entry: null };
        }
        if (request.reason === null || request.reason.trim() === '') {
          throw new UsageError('the control plane records a reason with every change; pass --reason TEXT');
        }
        const { command, ...body } = changeInput(request, before, plan.after);
        try {
          const result = await client.request<ChangeOutcome>('POST', await path(`/flags/${encodeURIComponent(request.flag)}/${command}`), { body: { ...body, reason: request.reason }, ifMatch: revision });
          return {
            flag: request.flag,
            changed: result.changed,
            before: result.before,
            after: result.after,
            revision: result.updatedAt,
            // The control plane's own notes too: a rollout plan it paused because of this change.
            notes: [...plan.notes, ...result.notes.filter((note) => !plan.notes.includes(note))],
            entry: result.audit ? await toEntry(result.audit) : null,
          };
        } catch (error) {
          if (error instanceof RevisionConflict) continue;
          throw error;
        }
      }
      throw new BackendError(`the control plane kept changing while ${request.command} ${request.flag} was planned (${CONFLICT_RETRIES + 1} tries); run the command again`);
    },

    async provision() {
      // The control plane completes its document from the manifest it was deployed with.
      const { document } = await readDocument();
      const existing = [
        ...(document.feature_states ?? []).map((state) => `feature ${state.feature.name}`),
        ...(document.project?.segments ?? []).map((segment) => `segment ${segment.name}`),
      ];
      return { created: [], existing };
    },

    async audit() {
      const entries: AuditEntry[] = [];
      let cursor: string | null = '';
      while (cursor !== null) {
        const query: string = `?limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
        const page: { entries: AuditRecord[]; next: string | null } = await client.request('GET', await path(`/audit${query}`));
        for (const entry of page.entries) entries.push(await toEntry(entry));
        cursor = page.next;
      }
      return entries;
    },

    async history(flag) {
      const revisions: HistoryEntry[] = [];
      let cursor: string | null = '';
      while (cursor !== null) {
        const query: string = `?limit=1000${flag ? `&flag=${encodeURIComponent(flag)}` : ''}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
        const page: { revisions: HistoryEntry[]; next: string | null } = await client.request('GET', await path(`/history${query}`));
        revisions.push(...page.revisions);
        cursor = page.next;
      }
      return revisions;
    },

    plans: {
      async create(flag, request) {
        const answer = await client.request<PlanAnswer>('POST', await path(`/flags/${encodeURIComponent(flag)}/plan`), { body: request });
        return { plan: answer.plan, changed: answer.changed, notes: answer.notes };
      },
      async get(flag) {
        return (await client.request<{ plan: PlanJson }>('GET', await path(`/flags/${encodeURIComponent(flag)}/plan`))).plan;
      },
      async act(flag, verb, reason) {
        const answer = await client.request<PlanAnswer>('POST', await path(`/flags/${encodeURIComponent(flag)}/plan/${verb}`), { body: { reason } });
        return { plan: answer.plan, changed: answer.changed, notes: answer.notes };
      },
    },

    async rollback(revision, reason): Promise<RollbackResult> {
      const result = await client.request<RollbackOutcome>('POST', await path('/rollback'), { body: { revision, reason } });
      const entries: AuditEntry[] = [];
      for (const entry of result.audit) entries.push(await toEntry(entry));
      return { changed: result.changed, revision: result.revision, restoredFrom: result.restoredFrom, entries };
    },
  };
}

/**
 * The change that makes `after` out of `before` for the command planned; its command names the API's
 * endpoint (`POST …/flags/:flag/stage`), the rest is the request body.
 */
function changeInput(request: ChangeRequest, before: FlagRollout, after: FlagRollout): Exclude<ChangeInput, { readonly command: 'ramp' }> {
  switch (request.command) {
    case 'stage':
      return { command: 'stage', stage: after.stage, ...(request.args.includes('--force') ? { force: true } : {}) };
    case 'allow':
      return { command: 'allow', users: after.allowlist.users.filter((id) => !before.allowlist.users.includes(id)), orgs: after.allowlist.orgs.filter((id) => !before.allowlist.orgs.includes(id)) };
    case 'disallow':
      return { command: 'disallow', users: before.allowlist.users.filter((id) => !after.allowlist.users.includes(id)), orgs: before.allowlist.orgs.filter((id) => !after.allowlist.orgs.includes(id)) };
    case 'percent':
      if (after.percentage === null) throw new UsageError('a percentage is needed');
      return { command: 'percent', value: after.percentage.value, by: after.percentage.by };
    case 'kill':
      return { command: 'kill' };
    case 'revive':
      return { command: 'revive' };
    default:
      throw new UsageError(`${request.command} is not a change the control plane makes`);
  }
}
