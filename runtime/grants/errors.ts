import { FlagstageError } from '../errors/flagstage-error';

/**
 * Thrown when a grant cannot be issued or checked because of the app's configuration (code
 * `grant-config`): a secret shorter than 32 bytes, a missing kid, a ttl that is not a positive
 * integer. A bad token is never thrown: `verifyGrant` answers `{ ok: false, error }` for it.
 *
 * @example
 * ```ts
 * try {
 *   await issueGrant(identity, ['gastown'], { secret: env.GRANT_SECRET, kid: 'k1', ttlSeconds: 3600 });
 * } catch (error) {
 *   if (error instanceof GrantError) console.error(error.message); // flagstage: the grant secret for kid "k1" is 5 bytes; …
 * }
 * ```
 */
export class GrantError extends FlagstageError<'grant-config'> {
  override name = 'GrantError';

  constructor(problem: string) {
    super('grant-config', problem);
  }
}
