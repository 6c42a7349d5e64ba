/** Types for scripts/entries.mjs (imported by vitest.config.ts and tests). */
export declare const root: string;
export declare const NODE_ONLY: ReadonlySet<string>;
export declare const CODEGEN_ONLY: ReadonlySet<string>;
export declare const CODEGEN_ENTRIES: ReadonlySet<string>;
export interface Entry {
  /** The exports key (`.`, `./hono`), null for the CLI. */
  readonly subpath: string | null;
  /** What an app imports (`flagstage/hono`), null for the CLI. */
  readonly specifier: string | null;
  /** The TypeScript source, relative to the repository. */
  readonly source: string;
  readonly output: string;
  readonly types: string | null;
  readonly platform: 'edge' | 'node';
}
export declare function entries(): Entry[];
