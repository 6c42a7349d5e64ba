import { existsSync, mkdirSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { basename, dirname, relative, resolve } from 'node:path';
import { Node, Project } from 'ts-morph';
import type { FlagDefinition, Manifest } from '../runtime/manifest/types';
import { diffManifests, type ManifestDiff } from './diff';
import { emitGenerated } from './emit';
import { ManifestError } from './errors';
import { readConfig } from './read-config';
import { readStaticObject } from './static-value';
import { validateManifest } from './validate';

/** Where the manifest is and where its generated file goes. */
export interface CodegenOptions {
  /** Path of the manifest. Default: `flags.config.ts` in `cwd`. */
  readonly config?: string;
  /** Path of the generated file. Default: `flags.gen.ts` beside the manifest. */
  readonly out?: string;
  /** Base for relative paths and for file names in messages. Default: `process.cwd()`. */
  readonly cwd?: string;
}

/** The outcome of a codegen run. */
export type CodegenResult =
  | { readonly status: 'written' | 'unchanged'; readonly out: string; readonly manifest: Manifest }
  | { readonly status: 'missing' | 'stale'; readonly out: string; readonly manifest: Manifest; readonly diff: ManifestDiff | null };

/**
 * Loads and validates a manifest without writing anything.
 *
 * @example
 * ```ts
 * const manifest = loadManifest({ config: 'flags.config.ts' });
 * ```
 */
export function loadManifest(options: CodegenOptions = {}): Manifest {
  const { configPath, displayName } = resolvePaths(options);
  if (!existsSync(configPath)) {
    throw new ManifestError(displayName, null, null, 'does not exist; create it with `export default defineFlags({ ... })` or pass --config PATH');
  }
  return validateManifest(readConfig(configPath, readFileSync(configPath, 'utf8'), displayName));
}

/**
 * Generates `flags.gen.ts` from `flags.config.ts`. With `check: true` nothing is written: the result
 * says whether the file on disk is current (`unchanged`), `missing` or `stale` (with what changed).
 *
 * @example
 * ```ts
 * const result = runCodegen({ config: 'flags.config.ts' }, { check: true });
 * if (result.status !== 'unchanged') process.exitCode = 1;
 * ```
 */
export function runCodegen(options: CodegenOptions = {}, { check = false }: { check?: boolean } = {}): CodegenResult {
  const { outPath, outName, configPath } = resolvePaths(options);
  const manifest = loadManifest(options);
  const text = emitGenerated(manifest, { configName: relativeImportName(dirname(outPath), configPath) });
  const existing = existsSync(outPath) ? readFileSync(outPath, 'utf8') : null;
  if (existing === text) return { status: 'unchanged', out: outName, manifest };
  if (check) {
    if (existing === null) return { status: 'missing', out: outName, manifest, diff: null };
    return { status: 'stale', out: outName, manifest, diff: safeDiff(existing, manifest) };
  }
  // Write through a temporary file so an editor or a concurrent build never sees half a file.
  const temporary = `${outPath}.${process.pid}.tmp`;
  mkdirSync(dirname(outPath), { recursive: true });
  writeFileSync(temporary, text);
  renameSync(temporary, outPath);
  return { status: 'written', out: outName, manifest };
}

/**
 * Reads the `manifest` constant back out of a generated file, statically, to tell what changed.
 */
export function readGeneratedManifest(text: string): Manifest | null {
  const project = new Project({ useInMemoryFileSystem: true, skipAddingFilesFromTsConfig: true, compilerOptions: { noResolve: true } });
  const source = project.createSourceFile('flags.gen.ts', text);
  const initializer = source.getVariableDeclaration('manifest')?.getInitializer();
  if (!initializer) return null;
  let node: Node = initializer;
  while (Node.isAsExpression(node) || Node.isSatisfiesExpression(node)) node = node.getExpression();
  const value = readStaticObject(node, 'flags.gen.ts', null).value as { flags?: Record<string, FlagDefinition> };
  return value.flags ? ({ flags: value.flags } as Manifest) : null;
}

function safeDiff(existing: string, manifest: Manifest): ManifestDiff | null {
  try {
    const before = readGeneratedManifest(existing);
    return before ? diffManifests(before, manifest) : null;
  } catch {
    return null;
  }
}

function resolvePaths(options: CodegenOptions) {
  const cwd = options.cwd ?? process.cwd();
  const configPath = resolve(cwd, options.config ?? 'flags.config.ts');
  const outPath = resolve(cwd, options.out ?? resolve(dirname(configPath), 'flags.gen.ts'));
  return { configPath, outPath, displayName: relative(cwd, configPath) || basename(configPath), outName: relative(cwd, outPath) || basename(outPath) };
}

function relativeImportName(fromDir: string, file: string): string {
  const path = relative(fromDir, file).split('\\').join('/');
  return path.startsWith('.') ? path : path;
}
