// The public API, pinned (test/package/surface.ts): each entry point's exported names, the values an
// app can import at run time and the type-only names, so a change to the surface is a visible diff.
// Entry points come from package.json exports: a new one fails here until it has its pin.
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { entries, root } from '../../scripts/entries.mjs';
import { SURFACE } from './surface';

const publicEntries = entries().filter((entry) => entry.specifier !== null);

/** Every exported name of each entry point, split into values and type-only names, from the sources. */
function declaredSurfaces(): Map<string, { values: string[]; types: string[]; starExports: string[] }> {
  const parsed = ts.getParsedCommandLineOfConfigFile(`${root}/tsconfig.json`, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} })!;
  const program = ts.createProgram(
    publicEntries.map((entry) => `${root}/${entry.source}`),
    { ...parsed.options, noEmit: true },
  );
  const checker = program.getTypeChecker();
  const surfaces = new Map<string, { values: string[]; types: string[]; starExports: string[] }>();
  for (const entry of publicEntries) {
    const file = program.getSourceFile(`${root}/${entry.source}`)!;
    const values: string[] = [];
    const types: string[] = [];
    for (const symbol of checker.getExportsOfModule(checker.getSymbolAtLocation(file)!)) {
      const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
      (target.flags & ts.SymbolFlags.Value ? values : types).push(symbol.name);
    }
    const starExports = file.statements.filter((statement) => ts.isExportDeclaration(statement) && (!statement.exportClause || ts.isNamespaceExport(statement.exportClause))).map((statement) => statement.getText(file));
    surfaces.set(entry.specifier!, { values: values.sort(), types: types.sort(), starExports });
  }
  return surfaces;
}

describe('the public API of each entry point', () => {
  const surfaces = declaredSurfaces();

  it('has a pin for every entry point in package.json exports, and no pin for a removed one', () => {
    expect(Object.keys(SURFACE).sort()).toEqual(publicEntries.map((entry) => entry.specifier).sort());
  });

  for (const entry of publicEntries) {
    const specifier = entry.specifier!;
    describe(specifier, () => {
      it('exports by name only (no export *)', () => {
        expect(surfaces.get(specifier)!.starExports).toEqual([]);
      });

      it('declares exactly the pinned values and types (update test/package/surface.ts when that is the intent)', () => {
        const { values, types } = surfaces.get(specifier)!;
        expect({ values, types }).toEqual(SURFACE[specifier]);
      });

      it('has exactly the pinned values at run time', async () => {
        const module = (await import(/* @vite-ignore */ specifier)) as Record<string, unknown>;
        expect(Object.keys(module).sort()).toEqual(SURFACE[specifier]?.values);
      });
    });
  }
}, 120_000);
