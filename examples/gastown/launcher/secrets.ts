import { randomBytes } from 'node:crypto';

/** Fresh secrets for every start: nothing to configure, nothing that outlives the demo. */
export interface DemoSecrets {
  readonly sessionSecret: string;
  readonly grantSecret: string;
  readonly grantKid: string;
  readonly webhookSecret: string;
}

export function freshSecrets(): DemoSecrets {
  const secret = () => randomBytes(32).toString('base64url');
  return { sessionSecret: secret(), grantSecret: secret(), grantKid: `demo-${Date.now().toString(36)}`, webhookSecret: secret() };
}
