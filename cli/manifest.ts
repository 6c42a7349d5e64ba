import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Manifest } from '../runtime/manifest/types';
import { UsageError } from './io';

/**
 * Loads the validated manifest, cached in `.flagstage/manifest.json` under a digest of the
 * manifest's text and the flagstage version. Reading `flags.config.ts` statically needs the
 * TypeScript compiler (ts-morph), which costs most of a second to load; with the cache a command
 * that changes a flag starts in a tenth of that, which matters when people script the CLI.
 * The codegen module is imported only on a cache miss.
 *
 * @example
 * ```ts
 * const manifest = await loadManifestCached({ cwd: process.cwd(), config: undefined, stateDir: '.flagstage' });
 * ```
 */
export async function loadManifestCached(options: { readonly cwd: string; readonly config: string | undefined; readonly configPath: string; readonly stateDir: string }): Promise<Manifest> {
  const cachePath = join(options.stateDir, 'manifest.json');
  const key = existsSync(options.configPath) ? digest(readFileSync(options.configPath, 'utf8')) : null;
  if (key !== null) {
    const cached = readCache(cachePath);
    if (cached?.key === key) return cached.manifest;
  }
  const { loadManifest, ManifestError } = await import('../codegen/index');
  let manifest: Manifest;
  try {
    manifest = loadManifest({ cwd: options.cwd, config: options.config });
  } catch (error) {
    if (error instanceof ManifestError) throw new UsageError(error.problem, { cause: error });
    throw error;
  }
  if (key !== null) writeCache(cachePath, { key, manifest });
  return manifest;
}

interface CacheFile {
  readonly key: string;
  readonly manifest: Manifest;
}

function digest(text: string): string {
  return createHash('sha256').update(`${version()}\0${text}`).digest('hex');
}

function readCache(path: string): CacheFile | null {
  try {
    const value = JSON.parse(readFileSync(path, 'utf8')) as Partial<CacheFile>;
    return typeof value.key === 'string' && typeof value.manifest === 'object' && value.manifest !== null ? (value as CacheFile) : null;
  } catch {
    return null;
  }
}

function writeCache(path: string, cache: CacheFile): void {
  try {
    mkdirSync(dirname(path), { recursive: true });
    const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(cache)}\n`);
    renameSync(temporary, path);
  } catch {
    // A cache that cannot be written only costs speed.
  }
}

let cachedVersion: string | null = null;

/** flagstage's own version (a new release may validate or default differently, so it is part of the key). */
function version(): string {
  if (cachedVersion !== null) return cachedVersion;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 6; depth += 1) {
    const candidate = join(dir, 'package.json');
    try {
      const pkg = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'flagstage') return (cachedVersion = String(pkg.version));
    } catch {
      // Not here; look further up.
    }
    dir = dirname(dir);
  }
  return (cachedVersion = 'unknown');
}
