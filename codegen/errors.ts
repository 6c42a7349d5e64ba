import { FlagstageError } from '../runtime/errors/flagstage-error';

/**
 * A mistake in the manifest (code `invalid-manifest`), reported as one line naming the file, the
 * line, the flag and the fix:
 * `flagstage: flags.config.ts:12: flag "convoys": parent "gastwon" is not a flag; use one of: gastown`.
 */
export class ManifestError extends FlagstageError<'invalid-manifest'> {
  override name = 'ManifestError';

  constructor(
    readonly file: string,
    readonly line: number | null,
    readonly flag: string | null,
    problem: string,
  ) {
    const where = line === null ? file : `${file}:${line}`;
    super('invalid-manifest', `${where}: ${flag === null ? '' : `flag "${flag}": `}${problem}`);
  }
}
