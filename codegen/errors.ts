/**
 * A mistake in the manifest, reported as one line naming the file, the line, the flag and the fix:
 * `flags.config.ts:12: flag "convoys": parent "gastwon" is not a flag; use one of: gastown`.
 */
export class ManifestError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | null,
    readonly flag: string | null,
    readonly problem: string,
  ) {
    const where = line === null ? file : `${file}:${line}`;
    super(`flagstage: ${where}: ${flag === null ? '' : `flag "${flag}": `}${problem}`);
    this.name = 'ManifestError';
  }
}
