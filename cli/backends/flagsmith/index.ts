import { join } from 'node:path';
import { readRollout } from '../../../runtime/stages/read';
import { rolloutPatch, sameRollout } from '../../../runtime/stages/rollout';
import type { EnvironmentDocument } from '../../../runtime/engine/index';
import { auditEntry, type AuditEntry } from '../../audit/entry';
import { appendAudit, readAudit } from '../../audit/log';
import type { Backend, BackendOptions, ExternalAuditEntry } from '../../backend';
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

    async change(request) {
      const definition = manifest.flags[request.flag];
      if (definition === undefined) throw new UsageError(`"${request.flag}" is not a flag of this manifest`);
      const current = await snapshot();
      const before = current.rollouts[request.flag];
      if (before === undefined) throw new UsageError(`"${request.flag}" is not a flag of this manifest`);
      const plan = request.plan({ manifest, rollouts: current.rollouts });
      if (sameRollout(before, plan.after)) {
        return { flag: request.flag, changed: false, before, after: before, revision: current.revision, notes: plan.notes, entry: null };
      }
      const remote = await loadRemote(api, config);
      await applyPatch(api, config, remote, definition, before, rolloutPatch(before, plan.after));
      const next = await snapshot();
      const after = next.rollouts[request.flag];
      if (after === undefined || !sameRollout(after, plan.after)) {
        throw new BackendError(
          `Flagsmith's environment document does not show the change: ${request.flag} reads back as ${JSON.stringify(after)}; check the project's segment overrides in the dashboard`,
        );
      }
      const entry = auditEntry(request, { at: new Date(now()).toISOString(), backend: 'flagsmith', environment: config.environmentKey, revision: next.revision, before, after });
      appendAudit(auditPath, entry);
      return { flag: request.flag, changed: true, before, after, revision: next.revision, notes: plan.notes, entry };
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

function author(value: ApiAuditLog['author']): string {
  if (value === null) return 'API key';
  const name = `${value.first_name ?? ''} ${value.last_name ?? ''}`.trim();
  return name || value.email || 'unknown';
}
