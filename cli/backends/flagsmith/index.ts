import { join } from 'node:path';
import { readRollout } from '../../../runtime/stages/read';
import { patchedRollout, rolloutPatch, sameRollout, type FlagRollout, type RolloutPatch } from '../../../runtime/stages/rollout';
import { lockOptions, withLock } from '../local/lock';
import type { EnvironmentDocument } from '../../../runtime/engine/index';
import { auditEntry, type AuditEntry } from '../../audit/entry';
import { appendAudit, readAudit } from '../../audit/log';
import type { Backend, BackendOptions, ChangeResult, ExternalAuditEntry } from '../../backend';
import { BackendError, UsageError } from '../../io';
import type { ApiAuditLog, ApiEnvironment } from './api-types';
import { adminClient, type FetchLike } from './client';
import { flagsmithConfig } from './config';
import { applyPatch } from './apply';
import { provisionFlagsmith } from './provision';
import { loadRemote } from './remote';

/**
 * The Flagsmith backend: reads the environment document through the Admin API
 * (`GET /api/v1/environments/{api_key}/document/`, the same JSON the SDK endpoint serves, so
 * status and explain see what the runtime sees) and changes segments, segment overrides and
 * environment defaults through the Admin API. flagstage's own audit entries go to
 * `.flagstage/audit.jsonl`; Flagsmith keeps its own audit log, which `externalAudit` reads.
 *
 * @example
 * ```ts
 * const backend = flagsmithBackend({ manifest, stateDir: '.flagstage', env: process.env });
 * await backend.provision();
 * ```
 */
export function flagsmithBackend(options: BackendOptions & { readonly fetch?: FetchLike }): Backend {
  const { manifest } = options;
  const config = flagsmithConfig(options.env);
  const api = adminClient({ apiUrl: config.apiUrl, apiKey: config.apiKey, fetch: options.fetch });
  const now = options.now ?? Date.now;
  const auditPath = join(options.stateDir, 'audit.jsonl');
  const lockPath = join(options.stateDir, `flagsmith-${config.environmentKey.replace(/[^A-Za-z0-9_-]/g, '_')}.lock`);
  const location = `${config.apiUrl} project ${config.projectId}, environment ${config.environmentKey}`;

  const readDocument = () => api.get<EnvironmentDocument>(`environments/${encodeURIComponent(config.environmentKey)}/document/`);
  const snapshot = async () => {
    const document = await readDocument();
    return { document, revision: document.updated_at ?? null, rollouts: readRollout(manifest, document) };
  };

  return {
    kind: 'flagsmith',
    location,
    read: snapshot,

    // Flagsmith has no conditional write, so a change is made safe in three ways: flagstage writers
    // sharing this state directory take turns (a lock); a change writes only the parts it changes
    // (an allow never touches the kill-switch); and it re-reads the document just before writing
    // (re-planning when what it rewrites moved) and after (retrying when a concurrent writer
    // overwrote it), reporting success only for a change the document shows.
    change(request) {
      const definition = manifest.flags[request.flag];
      if (definition === undefined) throw new UsageError(`"${request.flag}" is not a flag of this manifest`);
      return withLock(lockPath, async (): Promise<ChangeResult> => {
        for (let attempt = 1; ; attempt++) {
          const current = await snapshot();
          const before = current.rollouts[request.flag];
          if (before === undefined) throw new UsageError(`"${request.flag}" is not a flag of this manifest`);
          const plan = request.plan({ manifest, rollouts: current.rollouts });
          if (sameRollout(before, plan.after)) {
            return { flag: request.flag, changed: false, before, after: before, revision: current.revision, notes: plan.notes, entry: null };
          }
          const patch = rolloutPatch(before, plan.after);
          const remote = await loadRemote(api, config);
          const fresh = (await snapshot()).rollouts[request.flag];
          if (fresh === undefined || !samePart(fresh, before, patch)) {
            if (attempt < ATTEMPTS) continue;
            throw new BackendError(`${request.flag} keeps changing in Flagsmith while this command plans (${ATTEMPTS} attempts); nothing was written: run it again`);
          }
          await applyPatch(api, config, remote, definition, fresh, patch);
          const next = await snapshot();
          const after = next.rollouts[request.flag];
          if (after !== undefined && inDocument(after, patch)) {
            const notes = [...plan.notes, ...meanwhile(request.flag, before, after, patch)];
            const entry = auditEntry(request, { at: new Date(now()).toISOString(), backend: 'flagsmith', environment: config.environmentKey, revision: next.revision, before, after });
            appendAudit(auditPath, entry);
            return { flag: request.flag, changed: true, before, after, revision: next.revision, notes, entry };
          }
          if (after !== undefined && attempt < ATTEMPTS) continue; // most likely a concurrent writer won: plan again on its state
          // The document shows something nobody asked for: undo the parts this change wrote, record the attempt, fail.
          const problem = `Flagsmith's environment document does not show the change: ${request.flag} reads back as ${JSON.stringify(after)} instead of ${JSON.stringify(patchedRollout(before, patch))}`;
          let outcome: 'rolled-back' | 'refused' = 'refused';
          if (after !== undefined) {
            await applyPatch(api, config, await loadRemote(api, config), definition, after, rolloutPatch(after, { ...after, ...undo(before, patch) }));
            outcome = 'rolled-back';
          }
          const revision = (await snapshot()).revision;
          appendAudit(auditPath, { ...auditEntry(request, { at: new Date(now()).toISOString(), backend: 'flagsmith', environment: config.environmentKey, revision, before, after: patchedRollout(before, patch) }), outcome, problem });
          throw new BackendError(`${problem}; ${outcome === 'rolled-back' ? 'it was rolled back' : 'nothing was kept'} (the attempt is in the audit log); check the project's segment overrides in the dashboard`);
        }
      }, lockOptions(options));
    },

    async provision() {
      const remote = await loadRemote(api, config);
      return provisionFlagsmith(api, config, remote, manifest);
    },

    async audit() {
      return readAudit(auditPath).filter((entry) => entry.backend === 'flagsmith' && entry.environment === config.environmentKey);
    },

    async externalAudit(limit = 100): Promise<ExternalAuditEntry[]> {
      const environment = await api.get<ApiEnvironment>(`environments/${encodeURIComponent(config.environmentKey)}/`);
      const logs = await api.list<ApiAuditLog>(`projects/${config.projectId}/audit/`, { environments: environment.id, page_size: Math.min(limit, 100) }, { max: limit });
      return logs.map((log) => ({ at: log.created_date, author: author(log.author), log: log.log, objectType: log.related_object_type ?? null }));
    },
  };
}

/** How many times a change re-plans when a concurrent writer moved what it changes. */
const ATTEMPTS = 4;

/** The parts a patch sets, as `rollout` has them. */
function partsOf(rollout: FlagRollout, patch: RolloutPatch): RolloutPatch {
  return {
    ...(patch.stage !== undefined ? { stage: rollout.stage } : {}),
    ...(patch.killed !== undefined ? { killed: rollout.killed } : {}),
    ...(patch.allowlist !== undefined ? { allowlist: rollout.allowlist } : {}),
    ...(patch.percentage !== undefined && rollout.percentage !== null ? { percentage: rollout.percentage } : {}),
  };
}

/** Whether the parts a patch rewrites are the same in two rollouts (what the change was planned on is still there). */
function samePart(a: FlagRollout, b: FlagRollout, patch: RolloutPatch): boolean {
  return sameRollout(patchedRollout(a, partsOf(b, patch)), a) && sameRollout(patchedRollout(b, partsOf(a, patch)), b);
}

/** Whether the document shows every part of the patch. */
function inDocument(after: FlagRollout, patch: RolloutPatch): boolean {
  return sameRollout(patchedRollout(after, patch), after);
}

/** The parts of `before` the patch changed, to put back. */
function undo(before: FlagRollout, patch: RolloutPatch): Partial<FlagRollout> {
  return { ...partsOf(before, patch), ...(patch.percentage !== undefined ? { percentage: before.percentage } : {}) };
}

/** Notes about what another writer changed while this command ran (the parts it did not touch). */
function meanwhile(flag: string, before: FlagRollout, after: FlagRollout, patch: RolloutPatch): string[] {
  const notes: string[] = [];
  if (patch.killed === undefined && before.killed !== after.killed) notes.push(`${flag} was ${after.killed ? 'killed' : 'revived'} meanwhile by someone else; that stays as it is`);
  if (patch.stage === undefined && before.stage !== after.stage) notes.push(`${flag} moved to stage ${after.stage} meanwhile by someone else`);
  return notes;
}

function author(value: ApiAuditLog['author']): string {
  if (value === null) return 'API key';
  const name = `${value.first_name ?? ''} ${value.last_name ?? ''}`.trim();
  return name || value.email || 'unknown';
}
