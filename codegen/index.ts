/** Codegen: read `flags.config.ts` statically, validate it, write the typed `flags.gen.ts`. Node only. */
export { ManifestError } from './errors';
export { readConfig, type RawManifest } from './read-config';
export { validateManifest, snakeCase } from './validate';
export { emitGenerated, gateName, type EmitOptions } from './emit';
export { diffManifests, describeDiff, type ManifestDiff } from './diff';
export { runCodegen, loadManifest, readGeneratedManifest, type CodegenOptions, type CodegenResult } from './generate';
