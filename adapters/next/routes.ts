import { FlagstageError } from 'flagstage';
import type { FlagKey, Gate } from '../../runtime/manifest/index';
import { assertGate } from '../shared/gate';

/**
 * Route patterns to gates. A pattern is a path whose segments are literals, `:name` (any one
 * segment) or, last, `*` (the path itself and anything below it): `/gastown/*` guards `/gastown`,
 * `/gastown/towns/1`, ...; `/gastown/:town/convoys/*` guards every town's convoy pages.
 */
export type RouteGates = Readonly<Record<string, Gate<FlagKey>>>;

interface CompiledRoute {
  readonly pattern: string;
  readonly gate: Gate<FlagKey>;
  readonly matches: (segments: readonly string[]) => boolean;
}

const segmentsOf = (path: string): string[] => path.split('/').filter((segment) => segment.length > 0);

/** Compiles the patterns once; every matching pattern's gate applies, in the order given. */
export function compileRoutes(routes: RouteGates): (pathname: string) => Gate<FlagKey>[] {
  if (typeof routes !== 'object' || routes === null) throw new FlagstageError('invalid-option', 'flagGuard needs routes, e.g. { "/gastown/*": requireGastown }');
  const compiled: CompiledRoute[] = Object.entries(routes).map(([pattern, gate]) => {
    assertGate(gate, `flagGuard route ${JSON.stringify(pattern)}`);
    return { pattern, gate, matches: compilePattern(pattern) };
  });
  return (pathname) => {
    const segments = segmentsOf(pathname);
    return compiled.filter((route) => route.matches(segments)).map((route) => route.gate);
  };
}

function compilePattern(pattern: string): (segments: readonly string[]) => boolean {
  if (!pattern.startsWith('/')) throw new FlagstageError('invalid-option', `route pattern ${JSON.stringify(pattern)} must start with "/"`);
  const parts = segmentsOf(pattern);
  const wildcard = parts.at(-1) === '*';
  const fixed = wildcard ? parts.slice(0, -1) : parts;
  if (fixed.includes('*')) throw new FlagstageError('invalid-option', `route pattern ${JSON.stringify(pattern)}: "*" may only be the last segment`);
  return (segments) => {
    if (wildcard ? segments.length < fixed.length : segments.length !== fixed.length) return false;
    return fixed.every((part, i) => part.startsWith(':') || safeDecode(segments[i]!) === part);
  };
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
