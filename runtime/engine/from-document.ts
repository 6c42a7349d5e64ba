import type { EnvironmentDocument } from './document';
import { EngineDocumentError } from './errors';
import { OPERATORS } from './operators';
import { put } from './records';
import type {
  ConditionOperator,
  EvaluationContext,
  FeatureContext,
  FeatureValue,
  FlagValue,
  RuleType,
  SegmentCondition,
  SegmentContext,
  SegmentRule,
} from './types';

type Json = Record<string, unknown>;

const RULE_TYPES: ReadonlySet<string> = new Set(['ALL', 'ANY', 'NONE']);

/**
 * Maps an environment document (`GET /api/v1/environment-document/`) to an evaluation context
 * without identity, the way Flagsmith's SDKs do: features by name, project segments by id (with
 * `property_` conditions and feature-segment priorities), and identity overrides as segments named
 * `identity_overrides` that match their identifiers and win over every other override.
 *
 * Throws `EngineDocumentError` naming the path of the first malformed field.
 *
 * @example
 * ```ts
 * import { environmentToContext, getEvaluationResult } from 'flagstage/engine';
 * const context = environmentToContext(await response.json());
 * const result = getEvaluationResult({ ...context, identity: { identifier: 'user-1', traits: { plan: 'pro' } } });
 * ```
 */
export function environmentToContext(doc: EnvironmentDocument): EvaluationContext {
  const root = object(doc, '');
  const features: Record<string, FeatureContext> = {};
  for (const feature of items(root, 'feature_states', '', featureState, false)) put(features, feature.name, feature);

  const segments: Record<string, SegmentContext> = {};
  items(field(root, 'project', '', object), 'segments', 'project', (item, path) => {
    const segment = object(item, path);
    const id = field(segment, 'id', path, identifier);
    segments[id] = {
      key: id,
      name: field(segment, 'name', path, text),
      rules: items(segment, 'rules', path, segmentRule, false),
      overrides: items(segment, 'feature_states', path, featureState),
      metadata: { source: 'api', id: segment.id },
    };
  });
  Object.assign(segments, identityOverrideSegments(root));

  return {
    environment: { key: field(root, 'api_key', '', text), name: root.name === undefined ? '' : field(root, 'name', '', text) },
    features,
    segments,
  };
}

/**
 * Checks the frame of an environment document without reading its features and segments: an object
 * with a string `api_key`, a `feature_states` list, a `project` object and, when present, lists of
 * `project.segments` and `identity_overrides`. Constant time, whatever the document's size: sources
 * check this much on every load; the parts a decision reads are validated when they are compiled.
 * Throws `EngineDocumentError` naming the path.
 *
 * @example
 * ```ts
 * checkEnvironmentFrame(JSON.parse(body)); // throws at `feature_states` for { ..., feature_states: 7 }
 * ```
 */
export function checkEnvironmentFrame(doc: unknown): asserts doc is EnvironmentDocument {
  const root = object(doc, '');
  field(root, 'api_key', '', text);
  field(root, 'feature_states', '', list);
  field(field(root, 'project', '', object), 'segments', 'project', optionalList);
  field(root, 'identity_overrides', '', optionalList);
  if (root.name !== undefined) field(root, 'name', '', text);
}

/**
 * Identities overridden with the same feature states share one segment, as in Flagsmith's SDKs; the
 * identifiers are a list (not a comma-joined string), so identifiers containing commas still match.
 */
function identityOverrideSegments(root: Json): Record<string, SegmentContext> {
  const groups = new Map<string, { identifiers: string[]; overrides: FeatureContext[] }>();
  items(root, 'identity_overrides', '', (item, path) => {
    const identity = object(item, path);
    const id = field(identity, 'identifier', path, text);
    const overrides = items(identity, 'identity_features', path, (state, statePath) => ({ ...featureState(state, statePath), priority: -Infinity })).sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    );
    if (overrides.length === 0) return;
    const signature = JSON.stringify(overrides.map(({ key: _key, ...rest }) => rest));
    const group = groups.get(signature);
    if (group) group.identifiers.push(id);
    else groups.set(signature, { identifiers: [id], overrides });
  });
  const segments: Record<string, SegmentContext> = {};
  let n = 0;
  for (const { identifiers, overrides } of groups.values()) {
    const key = `identity_override_${n++}`;
    segments[key] = {
      key,
      name: 'identity_overrides',
      rules: [{ type: 'ALL', conditions: [{ property: '$.identity.identifier', operator: 'IN', value: identifiers }] }],
      overrides,
      metadata: { source: 'identity_override' },
    };
  }
  return segments;
}

function featureState(value: unknown, path: string): FeatureContext {
  const state = object(value, path);
  const feature = field(state, 'feature', path, object);
  const featurePath = `${path}.feature`;
  const name = field(feature, 'name', featurePath, text);
  const id = field(feature, 'id', featurePath, identifier);
  const djangoId = state.django_id == null ? '' : field(state, 'django_id', path, identifier);
  const uuid = state.featurestate_uuid == null ? '' : field(state, 'featurestate_uuid', path, text);
  const context: FeatureContext = {
    // The multivariate hashing key: the feature state's database id, else its UUID. Documents with
    // neither (only hand-written ones) hash on the feature id so that allocation stays stable.
    key: djangoId || uuid || `feature_${id}`,
    name,
    enabled: field(state, 'enabled', path, boolean),
    value: field(state, 'feature_state_value', path, flagValue),
    metadata: { id: feature.id },
  };
  const variants = multivariateValues(state, path);
  if (variants.length > 0) context.variants = variants;
  if (state.feature_segment != null) {
    const segment = field(state, 'feature_segment', path, object);
    if (segment.priority != null) context.priority = field(segment, 'priority', `${path}.feature_segment`, number);
  }
  return context;
}

/**
 * Variants are allocated in order of their id, or of their UUID read as a 128-bit number when they
 * have no id. Ids are kept as priorities; a UUID order is kept as ranks, since a UUID does not fit a
 * JSON number.
 */
function multivariateValues(state: Json, path: string): FeatureValue[] {
  const orders: Array<number | bigint | undefined> = [];
  const variants = items(state, 'multivariate_feature_state_values', path, (item, itemPath): FeatureValue => {
    const mv = object(item, itemPath);
    const option = field(mv, 'multivariate_feature_option', itemPath, object);
    orders.push(mv.id != null ? field(mv, 'id', itemPath, number) : mv.mv_fs_value_uuid != null ? field(mv, 'mv_fs_value_uuid', itemPath, uuidOrder) : undefined);
    return {
      value: field(option, 'value', `${itemPath}.multivariate_feature_option`, flagValue),
      weight: field(mv, 'percentage_allocation', itemPath, number),
      priority: 0,
    };
  });
  if (orders.every((order): order is number => typeof order === 'number')) {
    variants.forEach((variant, i) => (variant.priority = orders[i] as number));
    return variants;
  }
  const ranked = variants.map((_, i) => i);
  ranked.sort((a, b) => {
    const left = orders[a] ?? Infinity;
    const right = orders[b] ?? Infinity;
    return left < right ? -1 : left > right ? 1 : 0;
  });
  ranked.forEach((index, rank) => (variants[index]!.priority = rank));
  return variants;
}

function uuidOrder(value: unknown, path: string): bigint {
  const hex = text(value, path).replace(/-/g, '');
  return /^[0-9a-fA-F]{1,32}$/.test(hex) ? BigInt(`0x${hex}`) : fail(path, 'a UUID', value);
}

function segmentRule(value: unknown, path: string): SegmentRule {
  const rule = object(value, path);
  const type = field(rule, 'type', path, text);
  if (!RULE_TYPES.has(type)) throw new EngineDocumentError(`${path}.type`, `unknown rule type ${JSON.stringify(type)}`);
  return { type: type as RuleType, conditions: items(rule, 'conditions', path, segmentCondition), rules: items(rule, 'rules', path, segmentRule) };
}

function segmentCondition(value: unknown, path: string): SegmentCondition {
  const condition = object(value, path);
  const operator = field(condition, 'operator', path, text);
  if (!OPERATORS.has(operator)) throw new EngineDocumentError(`${path}.operator`, `unknown operator ${JSON.stringify(operator)}`);
  const property = condition.property_ == null ? '' : field(condition, 'property_', path, text);
  const raw = condition.value;
  const conditionValue =
    raw == null ? null : typeof raw === 'string' || (Array.isArray(raw) && raw.every((item) => typeof item === 'string')) ? (raw as string | string[]) : fail(`${path}.value`, 'a string', raw);
  return { property, operator: operator as ConditionOperator, value: conditionValue };
}

// Every check reads one field and names its JSON path in one message shape: "expected <what>, got <value>".

/** `parent[key]`, checked by `check` at the JSON path `path.key`. */
function field<T>(parent: Json, key: string, path: string, check: (value: unknown, path: string) => T): T {
  return check(parent[key], path ? `${path}.${key}` : key);
}

/** The list `parent[key]` (absent or null = empty when `optional`), each item read at `path.key[i]`. */
function items<T>(parent: Json, key: string, path: string, read: (item: unknown, path: string) => T, optional = true): T[] {
  const at = path ? `${path}.${key}` : key;
  return (optional ? optionalList : list)(parent[key], at).map((item, i) => read(item, `${at}[${i}]`));
}

function fail(path: string, what: string, value: unknown): never {
  throw new EngineDocumentError(path, `expected ${what}, got ${describe(value)}`);
}

function object(value: unknown, path: string): Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : fail(path, 'an object', value);
}

function list(value: unknown, path: string): unknown[] {
  return Array.isArray(value) ? value : fail(path, 'an array', value);
}

function optionalList(value: unknown, path: string): unknown[] {
  return value == null ? [] : list(value, path);
}

function text(value: unknown, path: string): string {
  return typeof value === 'string' ? value : fail(path, 'a string', value);
}

function boolean(value: unknown, path: string): boolean {
  return typeof value === 'boolean' ? value : fail(path, 'a boolean', value);
}

function number(value: unknown, path: string): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fail(path, 'a number', value);
}

/** An id: a number or a non-empty string, as a string. */
function identifier(value: unknown, path: string): string {
  return (typeof value === 'number' && Number.isFinite(value)) || (typeof value === 'string' && value !== '') ? String(value) : fail(path, 'an id', value);
}

function flagValue(value: unknown, path: string): FlagValue {
  if (value == null) return null;
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? value : fail(path, 'a string, number, boolean or null', value);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'object') return 'an object';
  return typeof value === 'undefined' ? 'nothing' : `${typeof value} ${String(value)}`;
}
