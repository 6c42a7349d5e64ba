import { FlagstageError } from 'flagstage';

/**
 * Fails fast, at construction, on grant options without a verifier, including the pre-0.2 shape
 * `grants: { secrets }` (the adapters no longer import grant code themselves: the app passes
 * `grantVerifier({ secrets })` from `flagstage/grants`).
 */
export function checkGrantOptions(grants: unknown, caller: string): void {
  const given = grants as { verify?: unknown; secrets?: unknown } | null | undefined;
  if (given === undefined || typeof given?.verify === 'function') return;
  const moved = given?.secrets !== undefined;
  throw new FlagstageError(
    'invalid-option',
    `${caller} needs grants: { verify: grantVerifier({ secrets }) } with grantVerifier from 'flagstage/grants'${moved ? ' (grants: { secrets } was replaced by it)' : ''}`,
  );
}
