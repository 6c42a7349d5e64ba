// Builds dist/: the JavaScript with esbuild and the .d.ts with the TypeScript compiler, for every
// entry point in package.json `exports` (see scripts/entries.mjs: adding an entry point is adding an
// exports entry, plus its tsconfig.json `paths` line, which this build names when it is missing).
//
// One esbuild pass for all entries, so code shared by several entry points lives in one chunk and
// exists once at run time (one FlagstageError class for `instanceof`, one WeakMap per concept).
// Dependencies stay external; then the imports are checked: no edge entry may reach a Node
// built-in, and only the codegen may reach ts-morph or typescript.
import { builtinModules } from 'node:module';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { build } from 'esbuild';
import ts from 'typescript';
import { CODEGEN_ENTRIES, CODEGEN_ONLY, entries, root } from './entries.mjs';

const list = entries();
const fail = (message) => {
  process.stderr.write(`${message}\n`);
  process.exit(1);
};

checkPaths();
rmSync(`${root}/dist`, { recursive: true, force: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: list.map((entry) => entry.source),
  bundle: true,
  splitting: true,
  format: 'esm',
  outdir: 'dist',
  outbase: '.',
  chunkNames: 'chunks/[hash]',
  packages: 'external',
  // Neutral: no Node or browser assumption; the Node-only entries import `node:*` explicitly.
  platform: 'neutral',
  target: 'es2022',
  jsx: 'automatic',
  logLevel: 'warning',
  metafile: true,
});
checkImports(result.metafile);
emitDeclarations();

/** tsconfig.json maps each `flagstage/*` specifier to its source, so typecheck and tests see the sources. */
function checkPaths() {
  const config = ts.readConfigFile(`${root}/tsconfig.json`, ts.sys.readFile).config;
  const paths = config?.compilerOptions?.paths ?? {};
  const missing = list
    .filter((entry) => entry.specifier && JSON.stringify(paths[entry.specifier]) !== JSON.stringify([`./${entry.source}`]))
    .map((entry) => `"${entry.specifier}": ["./${entry.source}"]`);
  if (missing.length > 0) fail(`flagstage build: tsconfig.json compilerOptions.paths must map every exports entry to its source; add or fix:\n  ${missing.join(',\n  ')}`);
}

/**
 * Walks each entry's output through its chunks (and `flagstage/*` imports of the package itself) and
 * fails when an edge entry reaches a Node built-in, or an entry other than the codegen reaches a
 * codegen-only package. The CLI is exempt from the second rule only through dynamic imports (it
 * loads the codegen lazily, for the commands that read flags.config.ts).
 */
function checkImports(metafile) {
  const builtins = new Set(builtinModules);
  const bySpecifier = new Map(list.filter((entry) => entry.specifier).map((entry) => [entry.specifier, entry.output]));
  for (const entry of list) {
    const seen = new Set();
    const walk = (output, via) => {
      if (seen.has(output)) return;
      seen.add(output);
      for (const imported of metafile.outputs[output]?.imports ?? []) {
        if (imported.kind === 'dynamic-import' && entry.subpath === null) continue; // the CLI's lazy codegen
        const path = [...via, imported.path].join(' -> ');
        if (!imported.external) walk(imported.path, [...via, imported.path]);
        else if (bySpecifier.has(imported.path)) walk(bySpecifier.get(imported.path), [...via, imported.path]);
        else if (entry.platform === 'edge' && (imported.path.startsWith('node:') || builtins.has(imported.path.split('/')[0])))
          fail(`flagstage build: ${entry.specifier} runs at the edge but reaches the Node built-in '${imported.path}' (${path}). Keep Node code out of it, or list it in NODE_ONLY (scripts/entries.mjs) and document it as Node only.`);
        else if (!CODEGEN_ENTRIES.has(entry.subpath) && CODEGEN_ONLY.has(imported.path.split('/')[0]))
          fail(`flagstage build: ${entry.specifier ?? 'the CLI'} reaches '${imported.path}' (${path}), which only the codegen may need; import the codegen lazily (await import) where it is needed.`);
      }
    };
    walk(entry.output, [entry.output]);
  }
}

/**
 * The .d.ts files, emitted by the compiler from the sources into dist/ beside the JavaScript. Relative
 * imports get the `.js` extension Node's ESM resolution needs (the sources leave it out). Members
 * tagged `@internal` are left out (stripInternal): reachable for flagstage's own code, not API.
 */
function emitDeclarations() {
  const parsed = ts.getParsedCommandLineOfConfigFile(`${root}/tsconfig.json`, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => fail(ts.flattenDiagnosticMessageText(d.messageText, '\n')) });
  const options = { ...parsed.options, noEmit: false, declaration: true, emitDeclarationOnly: true, declarationMap: false, stripInternal: true, incremental: false, outDir: `${root}/dist`, rootDir: root };
  const program = ts.createProgram(list.filter((entry) => entry.types).map((entry) => `${root}/${entry.source}`), options);
  const written = [];
  const emitted = program.emit(undefined, (file, text) => {
    written.push(file);
    ts.sys.writeFile(file, text);
  });
  if (emitted.diagnostics.length > 0) {
    const host = { getCanonicalFileName: (f) => f, getCurrentDirectory: () => root, getNewLine: () => '\n' };
    fail(`flagstage build: declaration emit failed\n${ts.formatDiagnostics(emitted.diagnostics, host)}`);
  }
  for (const file of written) {
    let text = readFileSync(file, 'utf8');
    // preProcessFile lists the import specifiers with their positions (comments are not imports).
    const imports = ts.preProcessFile(text, true, true).importedFiles.filter((imported) => /^\.{1,2}\//.test(imported.fileName));
    for (const imported of imports.reverse()) {
      const base = join(dirname(file), imported.fileName);
      const suffix = existsSync(`${base}.d.ts`) ? '.js' : existsSync(`${base}/index.d.ts`) ? '/index.js' : null;
      if (suffix === null) fail(`flagstage build: ${relative(root, file)} imports ${imported.fileName}, which has no declaration file`);
      const end = imported.pos + 1 + imported.fileName.length; // pos is the opening quote
      text = `${text.slice(0, end)}${suffix}${text.slice(end)}`;
    }
    writeFileSync(file, text);
  }
  for (const entry of list.filter((candidate) => candidate.types && !existsSync(`${root}/${candidate.types}`))) fail(`flagstage build: ${entry.types} was not emitted`);
}
