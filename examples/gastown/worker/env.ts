/** The worker's bindings (wrangler.jsonc `vars`, or the launcher's Miniflare `bindings`). */
export interface Env {
  /** The Flagsmith API base the environment document comes from (the demo: the control plane under `flagstage serve`). */
  readonly FLAGSMITH_API_URL: string;
  /** A server-side environment key (`ser.…`). */
  readonly FLAGSMITH_ENVIRONMENT_KEY: string;
  /** The secret Flagsmith (here the control plane, `flagstage serve`) signs its webhook calls with. */
  readonly FLAGSMITH_WEBHOOK_SECRET: string;
  /** Signs and verifies sessions; shared with the Next app, which issues them. */
  readonly SESSION_SECRET: string;
  /** Signs the grants issued with container dispatch (at least 32 bytes). */
  readonly GRANT_SECRET: string;
  /** The key id of GRANT_SECRET, so a rotation can verify old grants with the previous secret. */
  readonly GRANT_KID: string;
  /** How long a document is fresh, in ms (a string, as bindings are). The webhook makes changes immediate anyway. */
  readonly FLAGS_TTL_MS?: string;
}
