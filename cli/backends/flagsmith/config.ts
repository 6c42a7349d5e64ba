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

/** The variables without a default, and what each must be set to. */
const REQUIRED: ReadonlyArray<readonly [string, string]> = [
  ['FLAGSMITH_ADMIN_API_KEY', 'an organisation API key (Organisation settings > API Keys)'],
  ['FLAGSMITH_PROJECT_ID', "the project's numeric id (in the dashboard URL /project/<id>/)"],
  ['FLAGSMITH_ENVIRONMENT_KEY', "the environment's key (Environment settings > SDK keys, the client-side key)"],
];

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
  const missing = REQUIRED.filter(([name]) => !env[name]?.trim());
  if (missing.length === 1) {
    const [[name, what]] = missing as [[string, string]];
    throw new UsageError(`the flagsmith backend needs ${name}: set it to ${what}, or use --backend local`);
  }
  // Name every missing variable at once: a first set-up should not take one run per variable.
  if (missing.length > 1) {
    throw new UsageError(`the flagsmith backend needs ${missing.map(([name, what]) => `${name} (${what})`).join(', ')}: set them, or use --backend local`);
  }
  const apiKey = env.FLAGSMITH_ADMIN_API_KEY!.trim();
  const rawProject = env.FLAGSMITH_PROJECT_ID!.trim();
  const environmentKey = env.FLAGSMITH_ENVIRONMENT_KEY!.trim();
  const projectId = Number(rawProject);
  if (!Number.isInteger(projectId) || projectId <= 0) throw new UsageError(`FLAGSMITH_PROJECT_ID=${rawProject} is not a project id; set it to the number in the dashboard URL /project/<id>/`);
  return { apiUrl: apiRoot(env.FLAGSMITH_API_URL?.trim() || SAAS), apiKey, projectId, environmentKey };
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
