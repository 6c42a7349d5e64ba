import { dirname, join, resolve } from 'node:path';
import type { Manifest } from '../runtime/manifest/types';
import type { Backend } from './backend';
import { flagsmithBackend } from './backends/flagsmith/index';
import { localBackend } from './backends/local/index';
import { remoteBackend } from './backends/remote/index';
import { UsageError, type CliIO } from './io';
import { loadManifestCached } from './manifest';
import { suggest } from './suggest';

/** Options every backend-facing command accepts (for `parseArgs`). */
export const BACKEND_OPTIONS = {
  config: { type: 'string' },
  backend: { type: 'string' },
  env: { type: 'string' },
  json: { type: 'boolean', default: false },
} as const;

/** Options every command that changes state accepts, on top of BACKEND_OPTIONS. */
export const CHANGE_OPTIONS = {
  ...BACKEND_OPTIONS,
  reason: { type: 'string' },
  actor: { type: 'string' },
} as const;

/** The help text for BACKEND_OPTIONS, shared by every command's `--help`. */
export const BACKEND_HELP = `  --json            print JSON for machines instead of a table
  --config PATH     the manifest (default: flags.config.ts)
  --backend NAME    local (default), remote or flagsmith; default remote when FLAGSTAGE_URL is set,
                    flagsmith when FLAGSMITH_ADMIN_API_KEY is. Also FLAGSTAGE_BACKEND.
  --env NAME        the control plane's environment (remote; default FLAGSTAGE_ENV, else the only one)`;

/** The help text for the audit options of commands that change state. */
export const CHANGE_HELP = `  --reason TEXT     why, recorded in the audit log
  --actor NAME      who, recorded in the audit log (default: git config user.name, else $USER)`;

/** What a command works with: the manifest, where `.flagstage/` is, and the backend. */
export interface Context {
  readonly manifest: Manifest;
  readonly stateDir: string;
  readonly backend: Backend;
}

/**
 * Loads the manifest and picks the backend.
 *
 * @example
 * ```ts
 * const { manifest, backend } = await openContext(io, { config: undefined, backend: undefined });
 * ```
 */
export async function openContext(
  io: CliIO,
  options: { readonly config?: string | undefined; readonly backend?: string | undefined; readonly env?: string | undefined },
): Promise<Context> {
  const configPath = resolve(io.cwd, options.config ?? 'flags.config.ts');
  const stateDir = join(dirname(configPath), '.flagstage');
  const kind = options.backend ?? io.env.FLAGSTAGE_BACKEND ?? (io.env.FLAGSTAGE_URL ? 'remote' : io.env.FLAGSMITH_ADMIN_API_KEY ? 'flagsmith' : 'local');
  if (kind !== 'local' && kind !== 'flagsmith' && kind !== 'remote') {
    const from = options.backend === undefined ? `FLAGSTAGE_BACKEND=${kind}` : `backend "${kind}"`;
    const fix = options.backend === undefined ? 'set FLAGSTAGE_BACKEND to local, remote or flagsmith' : 'use --backend local, remote or flagsmith';
    throw new UsageError(`unknown ${from}; ${fix}`);
  }
  if (options.env !== undefined && kind !== 'remote') throw new UsageError(`--env picks an environment of the control plane; use it with the remote backend (FLAGSTAGE_URL, or --backend remote)`);
  const manifest = await loadManifestCached({ cwd: io.cwd, config: options.config, configPath, stateDir });
  const backendOptions = { manifest, stateDir, env: io.env, notify: (message: string) => io.stderr(`flagstage: ${message}
`) };
  const backend = kind === 'local' ? localBackend(backendOptions) : kind === 'remote' ? remoteBackend({ ...backendOptions, environment: options.env }) : flagsmithBackend(backendOptions);
  return { manifest, stateDir, backend };
}

/**
 * The manifest key for what the user typed: a key (`prMerge`) or a Flagsmith feature name
 * (`pr_merge`). Anything else is a user error with suggestions.
 *
 * @example
 * ```ts
 * resolveFlag(manifest, 'pr_merge'); // 'prMerge'
 * resolveFlag(manifest, 'gastwon');  // throws: unknown flag "gastwon"; did you mean gastown?
 * ```
 */
export function resolveFlag(manifest: Manifest, input: string | undefined): string {
  const keys = Object.keys(manifest.flags);
  if (input === undefined || input === '') throw new UsageError(`name a flag: one of ${keys.join(', ')}`);
  if (Object.prototype.hasOwnProperty.call(manifest.flags, input)) return input;
  const byFeature = Object.values(manifest.flags).find((definition) => definition.feature === input);
  if (byFeature) return byFeature.key;
  const close = suggest(input, keys);
  throw new UsageError(`unknown flag "${input}"; ${close.length > 0 ? `did you mean ${close.slice(0, 3).join(' or ')}?` : `the flags are ${keys.join(', ')}`}`);
}
