import type { EnvironmentDocument } from './document';
import { clipped } from '../errors/flagstage-error';
import { EngineDocumentError } from './errors';
import { OPERATORS, order } from './operators';
import { isObject, put } from './records';
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


/**
 * Maps an environment document (`GET /api/v1/environment-document/`) to an evaluation context
 * without identity, the way Flagsmith's SDKs do: features by name, project segments by id (with
 * `property_` conditions and feature-segment priorities), and identity overrides as segments named
 * `identity_overrides` that match their identifiers and win over every other override.
 *
 * Throws `EngineDocumentError` naming the path of the first malformed field.
 *
 * With `feature`, the context holds only what decides that one feature: its environment default, the
 * segments that override it (in their order, so priority ties break the same way) and the identity
 * overrides of it. Flagsmith's answer for a feature depends on nothing else, so it is the same as
 * from the whole document, while only that part is read and validated: a malformed part the feature
 * does not use (a state without a feature, a segment without rules) is left out, not an error.
 *
 * @example
 * ```ts
 * import { environmentToContext, getEvaluationResult } from 'flagstage/engine';
 * const context = environmentToContext(await response.json());
 * const result = getEvaluationResult({ ...context, identity: { identifier: 'user-1', traits: { plan: 'pro' } } });
 * const gastownOnly = environmentToContext(document, 'gastown');
 * ```
 */
export function environmentToContext(doc: EnvironmentDocument, feature?: string): EvaluationContext {
  // Every check below runs only on what `feature` reads (all of it without one): an unrelated state
  // costs one look at its name; an unrelated segment or identity, one scan of its states' names.
  const mine = (state: unknown): boolean => feature === undefined || (state as { feature?: { name?: unknown } } | null)?.feature?.name === feature;
  const uses = (states: unknown): boolean => feature === undefined || (Array.isArray(states) && states.some(mine));
  const stateOf = (state: unknown, path: string): FeatureContext | undefined => (mine(state) ? featureState(state, path) : undefined);
  const root = object(doc, '');
  const features: Record<string, FeatureContext> = {};
  for (const state of items(root, 'feature_states', featureState, false, mine)) put(features, state.name, state);

  const segments: Record<string, SegmentContext> = {};
  items(root('project', object), 'segments', (item, path) => {
    const segment = object(item, path);
    const id = segment('id', identifier);
    segments[id] = {
      key: id,
      name: segment('name', text),
      rules: items(segment, 'rules', segmentRule, false),
      overrides: items(segment, 'feature_states', stateOf),
      metadata: { source: 'api', id: segment('id') },
    };
  }, true, (item) => uses((item as Json | null)?.feature_states));

  // The identity overrides: identities overridden with the same feature states share one segment, as
  // in Flagsmith's SDKs; the identifiers are a list (not a comma-joined string), so identifiers
  // containing commas still match. Each group's segment is made when its first identity is read (so
  // in document order), and its IN list grows with every identity after that. (Written here, not as a
  // function of its own: -12 B gzip.)
  const groups = new Map<string, string[]>();
  items(root, 'identity_overrides', (item, path) => {
    const identity = object(item, path);
    const id = identity('identifier', text);
    const overrides = items(identity, 'identity_features', (state, statePath) => {
      const context = stateOf(state, statePath);
      return context && { ...context, priority: -Infinity };
    }).sort((a, b) => order(a.name, b.name));
    if (!overrides.length) return;
    const signature = JSON.stringify(overrides.map(({ key: _key, ...rest }) => rest));
    let identifiers = groups.get(signature);
    if (identifiers) return void identifiers.push(id);
    const key = `identity_override_${groups.size}`;
    groups.set(signature, (identifiers = [id]));
    segments[key] = {
      key,
      name: 'identity_overrides',
      rules: [{ type: 'ALL', conditions: [{ property: '$.identity.identifier', operator: 'IN', value: identifiers }] }],
      overrides,
      metadata: { source: 'identity_override' },
    };
  }, true, (item) => uses((item as Json | null)?.identity_features));

  return {
    environment: { key: root('api_key', text), name: root('name', optionalName) },
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
  root('api_key', text);
  root('feature_states', list);
  root('project', object)('segments', optionalList);
  root('identity_overrides', optionalList);
  root('name', optionalName);
}

function featureState(value: unknown, path: string): FeatureContext {
  const state = object(value, path);
  const feature = state('feature', object);
  const name = feature('name', text);
  const id = feature('id', identifier);
  const djangoId = state('django_id', optionalId);
  const uuid = state('featurestate_uuid', optionalText);
  const context: FeatureContext = {
    // The multivariate hashing key: the feature state's database id, else its UUID. Documents with
    // neither (only hand-written ones) hash on the feature id so that allocation stays stable.
    key: djangoId || uuid || `feature_${id}`,
    name,
    enabled: state('enabled', boolean),
    value: state('feature_state_value', flagValue),
    metadata: { id: feature('id') },
  };
  const variants = multivariateValues(state);
  if (variants.length) context.variants = variants;
  const priority = state('feature_segment', optional(object))?.('priority', optional(number));
  if (priority !== undefined) context.priority = priority;
  return context;
}

/**
 * Variants are allocated in order of their id, or of their UUID read as a 128-bit number when they
 * have no id. Ids are kept as priorities; a UUID order is kept as ranks, since a UUID does not fit a
 * JSON number.
 */
function multivariateValues(state: Fields): FeatureValue[] {
  const orders: Array<number | bigint | undefined> = [];
  const variants = items(state, 'multivariate_feature_state_values', (item, itemPath): FeatureValue => {
    const mv = object(item, itemPath);
    const option = mv('multivariate_feature_option', object);
    orders.push(mv('id') != null ? mv('id', number) : mv('mv_fs_value_uuid', optional(uuidOrder)));
    return {
      value: option('value', flagValue),
      weight: mv('percentage_allocation', number),
      priority: 0,
    };
  });
  const byId = orders.every((rank) => typeof rank === 'number');
  variants
    .map((_, i) => i)
    .sort((a, b) => order(orders[a] ?? Infinity, orders[b] ?? Infinity))
    .forEach((index, rank) => (variants[index]!.priority = byId ? (orders[index] as number) : rank));
  return variants;
}

function uuidOrder(value: unknown, path: string): bigint {
  const hex = text(value, path).replace(/-/g, '');
  return /^[0-9a-f]{1,32}$/i.test(hex) ? BigInt(`0x${hex}`) : fail(path, 'a UUID', value);
}

function segmentRule(value: unknown, path: string): SegmentRule {
  const rule = object(value, path);
  return {
    type: rule('type', ruleType) as RuleType,
    conditions: items(rule, 'conditions', segmentCondition),
    rules: items(rule, 'rules', segmentRule),
  };
}

function segmentCondition(value: unknown, path: string): SegmentCondition {
  const condition = object(value, path);
  const operator = condition('operator', operatorName) as ConditionOperator;
  const property = condition('property_', optionalText);
  return { property, operator, value: condition('value', conditionValue) };
}

// Every check reads one field and names its JSON path in one message shape: "expected <what>, got <value>".

type Check<T> = (value: unknown, path: string) => T;

/**
 * The fields of one JSON object: `at(key, check)` is `object[key]` checked by `check` at the JSON
 * path `path.key`; `at(key)` is the field as it is. One reader per object, rather than the object,
 * the key and the path handed to every read: -60 B gzip of the gates' bundle over its 35 reads.
 */
type Fields = <T = unknown>(key: string, check?: Check<T>) => T;

/**
 * The list at `key` (absent or null = empty when `optional`), each item read at `path.key[i]`;
 * an item read as `undefined` is left out (paths keep the document's indexes).
 */
// `wanted` turns an item away before its path is built: a cold isolate runs this unoptimized, and a
// path string (or a mapped array) for each of 10,000 unrelated features was a third of a cold start.
function items<T>(parent: Fields, key: string, read: Check<T | undefined>, optional = true, wanted?: (item: unknown) => boolean): T[] {
  return parent(key, (value, at) => {
    const all = (optional ? optionalList : list)(value, at);
    const out: T[] = [];
    for (let i = 0; i < all.length; i++) {
      const item = wanted && !wanted(all[i]) ? undefined : read(all[i], `${at}[${i}]`);
      if (item !== undefined) out.push(item);
    }
    return out;
  });
}

function fail(path: string, what: string, value: unknown): never {
  throw new EngineDocumentError(path, `expected ${what}, got ${describe(value)}`);
}

/** The value when `test` holds for it, else an error saying that `what` was expected. */
function checked<T>(what: string, test: (value: unknown) => boolean): Check<T> {
  return (value, path) => (test(value) ? (value as T) : fail(path, what, value));
}

/** `check`, except that an absent or null value is `none` (default: undefined). */
function optional<T, N = undefined>(check: Check<T>, none?: N): Check<T | N> {
  return (value, path) => (value == null ? (none as N) : check(value, path));
}

/** A string from `names`. */
function known(names: ReadonlySet<string>, what: string): Check<string> {
  return (value, path) => {
    const name = text(value, path);
    if (!names.has(name)) throw new EngineDocumentError(path, `unknown ${what} ${JSON.stringify(name)}`);
    return name;
  };
}

/** An object, as the reader of its fields. */
const object: Check<Fields> = (value, path) => {
  const fields = checked<Json>('an object', isObject)(value, path);
  return ((key: string, check?: Check<unknown>) => (check ? check(fields[key], path ? `${path}.${key}` : key) : fields[key])) as Fields;
};
const list = checked<unknown[]>('an array', Array.isArray);
const optionalList = optional(list, []);
const isText = (value: unknown): boolean => typeof value === 'string';
const text = checked<string>('a string', isText);
const optionalText = optional(text, '');
/** A string, or '' when absent (but not null). */
const optionalName: Check<string> = (value, path) => (value === undefined ? '' : text(value, path));
const boolean = checked<boolean>('a boolean', (value) => typeof value === 'boolean');
const number = checked<number>('a number', Number.isFinite);
const anId = checked<string | number>('an id', (value) => Number.isFinite(value) || (typeof value === 'string' && value !== ''));
/** An id: a number or a non-empty string, as a string. */
const identifier: Check<string> = (value, path) => String(anId(value, path));
const optionalId = optional(identifier, '');
const flagValue = optional(checked<FlagValue>('a string, number, boolean or null', (value) => isText(value) || typeof value === 'number' || typeof value === 'boolean'), null);
const conditionValue = optional(checked<string | string[]>('a string', (value) => isText(value) || (Array.isArray(value) && value.every(isText))), null);
const ruleType = known(new Set(['ALL', 'ANY', 'NONE']), 'rule type');
const operatorName = known(OPERATORS, 'operator');

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(clipped(value, 40));
  if (typeof value === 'object') return 'an object';
  return typeof value === 'undefined' ? 'nothing' : `${typeof value} ${String(value)}`;
}
