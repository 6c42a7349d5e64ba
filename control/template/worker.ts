// The flagstage control plane Worker (see wrangler.jsonc beside it for the bindings and secrets).
import { createControlPlane, type AuthOptions, type TokenRecord } from 'flagstage/control';
import { manifest } from './flags.gen';

interface Env {
  readonly FLAGSTAGE_CONTROL: DurableObjectNamespace;
  readonly PRODUCTION_SERVER_KEY: string;
  readonly STAGING_SERVER_KEY: string;
  /** JSON: [{ "name": "ci", "role": "operator", "sha256": "…" }] (hashToken(token); never the token). */
  readonly FLAGSTAGE_TOKENS: string;
  readonly WEBHOOK_SECRET: string;
  readonly WEBHOOK_URLS: string;
  readonly ACCESS_TEAM_DOMAIN: string;
  readonly ACCESS_AUDIENCE: string;
}

const plane = createControlPlane<Env>({
  manifest,
  environments: (env) => ({
    production: { serverKey: env.PRODUCTION_SERVER_KEY },
    staging: { serverKey: env.STAGING_SERVER_KEY },
  }),
  auth: (env): AuthOptions => ({
    tokens: JSON.parse(env.FLAGSTAGE_TOKENS || '[]') as TokenRecord[],
    ...(env.ACCESS_TEAM_DOMAIN && env.ACCESS_AUDIENCE
      ? {
          access: {
            jwksUrl: `https://${env.ACCESS_TEAM_DOMAIN}/cdn-cgi/access/certs`,
            issuer: `https://${env.ACCESS_TEAM_DOMAIN}`,
            audience: env.ACCESS_AUDIENCE,
            defaultRole: 'viewer',
          },
        }
      : {}),
  }),
  webhooks: (env) =>
    env.WEBHOOK_URLS.split(',')
      .map((url) => url.trim())
      .filter((url) => url !== '')
      .map((url) => ({ url, secret: env.WEBHOOK_SECRET })),
});

export const FlagstageControl = plane.DurableObject;
export default { fetch: plane.fetch } satisfies ExportedHandler<Env>;
