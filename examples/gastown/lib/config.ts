/**
 * The Next app's settings, from the environment the launcher (`npm start`) passes. Read on first
 * use, not at import: `next build` imports route modules to collect page data, without them.
 */
export interface AppConfig {
  /** The Flagsmith API base the environment document comes from (the demo: the control plane under `flagstage serve`). */
  readonly flagsmithApiUrl: string;
  readonly flagsmithEnvironmentKey: string;
  readonly flagsmithWebhookSecret: string;
  /** How long a document is fresh in memory; the webhook makes changes immediate regardless. */
  readonly flagsTtlMs: number;
  /** Signs the session cookie; the worker holds the same secret to verify forwarded sessions. */
  readonly sessionSecret: string;
  /** The Gastown worker API. */
  readonly workerUrl: string;
}

let config: AppConfig | null = null;

export function appConfig(): AppConfig {
  config ??= {
    flagsmithApiUrl: required('FLAGSMITH_API_URL'),
    flagsmithEnvironmentKey: required('FLAGSMITH_ENVIRONMENT_KEY'),
    flagsmithWebhookSecret: required('FLAGSMITH_WEBHOOK_SECRET'),
    flagsTtlMs: Number(process.env.FLAGS_TTL_MS ?? 5_000),
    sessionSecret: required('SESSION_SECRET'),
    workerUrl: required('GASTOWN_WORKER_URL'),
  };
  return config;
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`gastown: ${name} is not set; start the demo with \`npm start\` at the repository root`);
  return value;
}
