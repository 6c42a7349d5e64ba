// Packs this repository as `npm publish` would, without lifecycle scripts (dist/ is built by
// `npm test` first; `prepare` would rebuild it under the other tests' feet).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { assertDistFresh, repoRoot } from '../adapters/dist';

export interface Packed {
  /** Absolute path of the .tgz. */
  readonly tarball: string;
  /** Paths inside the package (`dist/runtime/index.js`, `package.json`, ...). */
  readonly files: readonly string[];
}

/** `npm pack --ignore-scripts` into `destination` (a directory outside the repository). */
export async function pack(destination: string): Promise<Packed> {
  assertDistFresh();
  const { stdout } = await promisify(execFile)('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', destination], { cwd: repoRoot, maxBuffer: 16 * 1024 * 1024 });
  const [result] = JSON.parse(stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
  if (!result) throw new Error(`npm pack printed no result: ${stdout}`);
  return { tarball: `${destination}/${result.filename}`, files: result.files.map((file) => file.path) };
}
