import { UsageError } from '../../io';

/** How to reach one Flagsmith environment through the Admin API. */
export interface FlagsmithConfig {
  /** Ends with `/api/v1/`. */
  readonly apiUrl: string;
  readonly apiKey: string;
  readonly projectId: number;
  readonly environmentKey: string;
}

const SAAS = 'https://api.flagsmith.com/api/v1/';

/**
 * Reads the Flagsmith settings from the environment; a missing one is a user error naming the
 * variable. FLAGSMITH_API_URL may be the server (`https://flags.example.com`) or its API root
 * (`…/api/v1/`); it defaults to Flagsmith SaaS.
 *
 * @example
 * ```ts
 * flagsmithConfig(process.env); // { apiUrl: 'https://api.flagsmith.com/api/v1/', apiKey: '…', projectId: 12, environmentKey: 'Abc…' }
 * ```
 */
export function flagsmithConfig(env: Readonly<Record<string, string | undefined>>): FlagsmithConfig {
  const apiKey = required(env, 'FLAGSMITH_ADMIN_API_KEY', 'an organisation API key (Organisation settings > API Keys)');
  const rawProject = required(env, 'FLAGSMITH_PROJECT_ID', "the project's numeric id (in the dashboard URL /project/<id>/)");
  const environmentKey = required(env, 'FLAGSMITH_ENVIRONMENT_KEY', "the environment's key (Environment settings > SDK keys, the client-side key)");
  const projectId = Number(rawProject);
  if (!Number.isInteger(projectId) || projectId <= 0) throw new UsageError(`FLAGSMITH_PROJECT_ID=${rawProject} is not a project id; set it to the number in the dashboard URL /project/<id>/`);
  return { apiUrl: apiRoot(env.FLAGSMITH_API_URL?.trim() || SAAS), apiKey, projectId, environmentKey };
}

function required(env: Readonly<Record<string, string | undefined>>, name: string, what: string): string {
  const value = env[name]?.trim();
  if (!value) throw new UsageError(`the flagsmith backend needs ${name}: set it to ${what}, or use --backend local`);
  return value;
}

function apiRoot(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`FLAGSMITH_API_URL=${url} is not a URL; e.g. https://api.flagsmith.com/api/v1/`);
  }
  const path = parsed.pathname.replace(/\/+$/, '');
  parsed.pathname = /\/api\/v1$/.test(path) ? `${path}/` : `${path}/api/v1/`;
  return parsed.toString();
}
