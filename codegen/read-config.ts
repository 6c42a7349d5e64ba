import { Node, Project, SyntaxKind, ts, type SourceFile } from 'ts-morph';
import { ManifestError } from './errors';
import { readStaticObject, type StaticObject } from './static-value';

/** The raw manifest as written: each flag's literal object and where it sits. */
export interface RawManifest {
  readonly file: string;
  readonly flags: { readonly [key: string]: StaticObject };
  /** Line of each flag key, for errors about the flag as a whole. */
  readonly lines: { readonly [key: string]: number };
}

/**
 * Reads `flags.config.ts` statically with ts-morph: finds the default export, expects
 * `defineFlags({...})` (directly or through a `const`), and reads the object literal. The file is
 * parsed, never executed or type-checked, so this is fast and safe on untrusted input.
 *
 * @example
 * ```ts
 * const raw = readConfig('flags.config.ts', source, 'flags.config.ts');
 * ```
 */
export function readConfig(path: string, text: string, displayName: string): RawManifest {
  const project = new Project({ useInMemoryFileSystem: true, skipAddingFilesFromTsConfig: true, compilerOptions: { noResolve: true } });
  const source = project.createSourceFile(path.endsWith('.ts') || path.endsWith('.tsx') || path.endsWith('.mts') ? path : `${path}.ts`, text);
  rejectSyntaxErrors(source, displayName);
  const argument = findDefineFlagsArgument(source, displayName);
  const flags: { [key: string]: StaticObject } = {};
  const lines: { [key: string]: number } = {};
  const top = readTopLevel(argument, displayName);
  for (const [key, node] of top) {
    flags[key] = readStaticObject(node, displayName, key);
    lines[key] = node.getStartLineNumber();
  }
  return { file: displayName, flags, lines };
}

/**
 * The parser recovers from syntax errors (a missing `}` still yields an object), so without this
 * check a half-written manifest would generate gates from whatever it guessed. The parse
 * diagnostics are read from the parsed file itself: asking a Program for them costs most of a second.
 */
function rejectSyntaxErrors(source: SourceFile, file: string): void {
  const diagnostics = (source.compilerNode as { parseDiagnostics?: readonly ts.DiagnosticWithLocation[] }).parseDiagnostics ?? [];
  const first = diagnostics[0];
  if (first === undefined) return;
  const line = source.compilerNode.getLineAndCharacterOfPosition(first.start).line + 1;
  const message = ts.flattenDiagnosticMessageText(first.messageText, ' ').replace(/\.$/, '');
  throw new ManifestError(file, line, null, `syntax error: ${message}; correct the TypeScript there`);
}

function readTopLevel(argument: Node, file: string): Array<[string, Node]> {
  let node = argument;
  while (Node.isAsExpression(node) || Node.isSatisfiesExpression(node) || Node.isParenthesizedExpression(node)) node = node.getExpression();
  if (!Node.isObjectLiteralExpression(node)) {
    throw new ManifestError(file, node.getStartLineNumber(), null, 'defineFlags() takes an object literal of flags: defineFlags({ myFlag: { description: "..." } })');
  }
  const entries: Array<[string, Node]> = [];
  const seen = new Set<string>();
  for (const property of node.getProperties()) {
    if (!Node.isPropertyAssignment(property)) {
      throw new ManifestError(file, property.getStartLineNumber(), null, `\`${property.getText().slice(0, 40)}\` is not a plain \`key: { ... }\` flag entry; spreads and shorthands cannot be read statically`);
    }
    const nameNode = property.getNameNode();
    let key: string;
    if (Node.isIdentifier(nameNode)) key = nameNode.getText();
    else if (Node.isStringLiteral(nameNode) || Node.isNoSubstitutionTemplateLiteral(nameNode)) key = nameNode.getLiteralValue();
    else throw new ManifestError(file, property.getStartLineNumber(), null, `computed flag key \`${nameNode.getText()}\` cannot be read statically; write the key itself`);
    if (key === '__proto__') {
      // `{ __proto__: { … } }` sets the object's prototype in JavaScript: the flag would vanish silently.
      throw new ManifestError(file, property.getStartLineNumber(), key, 'cannot be a flag key: JavaScript reads `__proto__` as the object\'s prototype, so the flag would silently vanish; rename it');
    }
    if (seen.has(key)) throw new ManifestError(file, property.getStartLineNumber(), key, 'is declared twice; keep one');
    seen.add(key);
    entries.push([key, property.getInitializerOrThrow()]);
  }
  return entries;
}

function findDefineFlagsArgument(source: SourceFile, file: string): Node {
  const assignment = source.getExportAssignment((candidate) => !candidate.isExportEquals());
  if (!assignment) {
    throw new ManifestError(file, null, null, 'has no default export; end it with `export default defineFlags({ ... })`');
  }
  let expression: Node = assignment.getExpression();
  if (Node.isIdentifier(expression)) {
    const name = expression.getText();
    const declaration = source.getVariableDeclaration(name);
    const initializer = declaration?.getInitializer();
    if (!declaration || !initializer) {
      throw new ManifestError(file, assignment.getStartLineNumber(), null, `the default export \`${name}\` must be a \`const\` declared in this file as defineFlags({ ... })`);
    }
    expression = initializer;
  }
  while (Node.isAsExpression(expression) || Node.isSatisfiesExpression(expression) || Node.isParenthesizedExpression(expression)) expression = expression.getExpression();
  if (Node.isCallExpression(expression) && expression.getExpression().getText() === 'defineFlags') {
    const [first, ...rest] = expression.getArguments();
    if (!first || rest.length > 0) {
      throw new ManifestError(file, expression.getStartLineNumber(), null, 'defineFlags() takes exactly one argument: the object of flags');
    }
    return first;
  }
  if (expression.getKind() === SyntaxKind.ObjectLiteralExpression) return expression;
  throw new ManifestError(
    file,
    expression.getStartLineNumber(),
    null,
    `the default export must be defineFlags({ ... }) (imported from 'flagstage'), found \`${expression.getText().slice(0, 40)}\``,
  );
}
