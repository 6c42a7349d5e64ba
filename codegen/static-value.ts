import { Node, SyntaxKind, type Expression } from 'ts-morph';
import { ManifestError } from './errors';

/** A JSON-like value read from source without running it. */
export type StaticValue = string | number | boolean | null | StaticValue[] | { [key: string]: StaticValue };

/** A static object with the source line of each property, so errors can point at it. */
export interface StaticObject {
  readonly value: { [key: string]: StaticValue };
  readonly lines: { [key: string]: number };
  readonly line: number;
}

/**
 * Evaluates a literal expression: strings, numbers, booleans, null, arrays and object literals,
 * through `as const`, `satisfies` and parentheses. Anything else would mean running user code, so
 * it is an error naming the file and line.
 */
export function readStatic(node: Expression, file: string, flag: string | null): StaticValue {
  const inner = unwrap(node);
  switch (inner.getKind()) {
    case SyntaxKind.StringLiteral:
    case SyntaxKind.NoSubstitutionTemplateLiteral:
      return (inner as unknown as { getLiteralValue(): string }).getLiteralValue();
    case SyntaxKind.NumericLiteral:
      return Number((inner as unknown as { getLiteralValue(): number }).getLiteralValue());
    case SyntaxKind.TrueKeyword:
      return true;
    case SyntaxKind.FalseKeyword:
      return false;
    case SyntaxKind.NullKeyword:
      return null;
    case SyntaxKind.PrefixUnaryExpression: {
      const text = inner.getText().replace(/\s+/g, '');
      if (/^-\d+(\.\d+)?$/.test(text)) return Number(text);
      break;
    }
    case SyntaxKind.ArrayLiteralExpression:
      return inner.asKindOrThrow(SyntaxKind.ArrayLiteralExpression).getElements().map((element) => readStatic(element, file, flag));
    case SyntaxKind.ObjectLiteralExpression:
      return readStaticObject(inner, file, flag).value;
  }
  throw new ManifestError(
    file,
    inner.getStartLineNumber(),
    flag,
    `\`${shorten(inner.getText())}\` is not a literal; flagstage reads the manifest without running it, so write the value itself (a string, number, boolean, array or object)`,
  );
}

/** Reads an object literal property by property, keeping each property's line. */
export function readStaticObject(node: Node, file: string, flag: string | null): StaticObject {
  const inner = unwrap(node);
  if (!Node.isObjectLiteralExpression(inner)) {
    throw new ManifestError(file, inner.getStartLineNumber(), flag, `expected an object literal, found \`${shorten(inner.getText())}\``);
  }
  const value: { [key: string]: StaticValue } = {};
  const lines: { [key: string]: number } = {};
  for (const property of inner.getProperties()) {
    if (!Node.isPropertyAssignment(property)) {
      throw new ManifestError(
        file,
        property.getStartLineNumber(),
        flag,
        `\`${shorten(property.getText())}\` is not a plain \`key: value\` property; spreads, shorthands, methods and getters cannot be read statically`,
      );
    }
    const nameNode = property.getNameNode();
    let name: string;
    if (Node.isIdentifier(nameNode)) name = nameNode.getText();
    else if (Node.isStringLiteral(nameNode) || Node.isNoSubstitutionTemplateLiteral(nameNode)) name = nameNode.getLiteralValue();
    else throw new ManifestError(file, property.getStartLineNumber(), flag, `computed property name \`${shorten(nameNode.getText())}\` cannot be read statically; write the key itself`);
    if (name === '__proto__') {
      // In JavaScript `{ __proto__: … }` sets the object's prototype instead of adding a key, so the
      // flag (or option) would vanish from the manifest without a word: refuse it here instead.
      throw new ManifestError(file, property.getStartLineNumber(), flag ?? name, '`__proto__` cannot be a key: JavaScript reads it as the object\'s prototype, not as a flag or option; rename it');
    }
    if (Object.prototype.hasOwnProperty.call(value, name)) {
      throw new ManifestError(file, property.getStartLineNumber(), flag ?? name, `\`${name}\` is written twice; keep one`);
    }
    const initializer = property.getInitializerOrThrow();
    value[name] = readStatic(initializer, file, flag ?? name);
    lines[name] = property.getStartLineNumber();
  }
  return { value, lines, line: inner.getStartLineNumber() };
}

function unwrap(node: Node): Node {
  let current = node;
  for (;;) {
    if (Node.isAsExpression(current) || Node.isSatisfiesExpression(current) || Node.isParenthesizedExpression(current)) {
      current = current.getExpression();
    } else {
      return current;
    }
  }
}

function shorten(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ');
  return oneLine.length > 60 ? `${oneLine.slice(0, 57)}...` : oneLine;
}
