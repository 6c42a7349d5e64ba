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
  list(root.feature_states, 'feature_states').forEach((state, i) => {
    const feature = featureState(state, `feature_states[${i}]`);
    put(features, feature.name, feature);
  });

  const segments: Record<string, SegmentContext> = {};
  const project = object(root.project, 'project');
  optionalList(project.segments, 'project.segments').forEach((item, i) => {
    const path = `project.segments[${i}]`;
    const segment = object(item, path);
    const id = identifier(segment.id, `${path}.id`);
    const name = text(segment.name, `${path}.name`);
    segments[id] = {
      key: id,
      name,
      rules: list(segment.rules, `${path}.rules`).map((rule, j) => segmentRule(rule, `${path}.rules[${j}]`)),
      overrides: optionalList(segment.feature_states, `${path}.feature_states`).map((state, j) =>
        featureState(state, `${path}.feature_states[${j}]`),
      ),
      metadata: { source: 'api', id: segment.id },
    };
  });
  Object.assign(segments, identityOverrideSegments(root.identity_overrides));

  return {
    environment: { key: text(root.api_key, 'api_key'), name: root.name === undefined ? '' : text(root.name, 'name') },
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
  text(root.api_key, 'api_key');
  list(root.feature_states, 'feature_states');
  optionalList(object(root.project, 'project').segments, 'project.segments');
  optionalList(root.identity_overrides, 'identity_overrides');
  if (root.name !== undefined) text(root.name, 'name');
}

/**
 * Identities overridden with the same feature states share one segment, as in Flagsmith's SDKs; the
 * identifiers are a list (not a comma-joined string), so identifiers containing commas still match.
 */
function identityOverrideSegments(value: unknown): Record<string, SegmentContext> {
  const groups = new Map<string, { identifiers: string[]; overrides: FeatureContext[] }>();
  optionalList(value, 'identity_overrides').forEach((item, i) => {
    const path = `identity_overrides[${i}]`;
    const identity = object(item, path);
    const id = text(identity.identifier, `${path}.identifier`);
    const overrides = optionalList(identity.identity_features, `${path}.identity_features`)
      .map((state, j) => ({ ...featureState(state, `${path}.identity_features[${j}]`), priority: -Infinity }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
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
  const feature = object(state.feature, `${path}.feature`);
  const name = text(feature.name, `${path}.feature.name`);
  const id = identifier(feature.id, `${path}.feature.id`);
  const djangoId = state.django_id == null ? '' : identifier(state.django_id, `${path}.django_id`);
  const uuid = state.featurestate_uuid == null ? '' : text(state.featurestate_uuid, `${path}.featurestate_uuid`);
  const context: FeatureContext = {
    // The multivariate hashing key: the feature state's database id, else its UUID. Documents with
    // neither (only hand-written ones) hash on the feature id so that allocation stays stable.
    key: djangoId || uuid || `feature_${id}`,
    name,
    enabled: boolean(state.enabled, `${path}.enabled`),
    value: flagValue(state.feature_state_value, `${path}.feature_state_value`),
    metadata: { id: feature.id },
  };
  const variants = optionalList(state.multivariate_feature_state_values, `${path}.multivariate_feature_state_values`);
  if (variants.length > 0) context.variants = multivariateValues(variants, `${path}.multivariate_feature_state_values`);
  if (state.feature_segment != null) {
    const segment = object(state.feature_segment, `${path}.feature_segment`);
    if (segment.priority != null) context.priority = number(segment.priority, `${path}.feature_segment.priority`);
  }
  return context;
}

/**
 * Variants are allocated in order of their id, or of their UUID read as a 128-bit number when they
 * have no id. Ids are kept as priorities; a UUID order is kept as ranks, since a UUID does not fit a
 * JSON number.
 */
function multivariateValues(values: unknown[], path: string): FeatureValue[] {
  const orders: Array<number | bigint | undefined> = [];
  const variants: FeatureValue[] = values.map((item, i) => {
    const itemPath = `${path}[${i}]`;
    const mv = object(item, itemPath);
    const option = object(mv.multivariate_feature_option, `${itemPath}.multivariate_feature_option`);
    if (mv.id != null) orders.push(number(mv.id, `${itemPath}.id`));
    else if (mv.mv_fs_value_uuid != null) orders.push(uuidOrder(mv.mv_fs_value_uuid, `${itemPath}.mv_fs_value_uuid`));
    else orders.push(undefined);
    return {
      value: flagValue(option.value, `${itemPath}.multivariate_feature_option.value`),
      weight: number(mv.percentage_allocation, `${itemPath}.percentage_allocation`),
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
  if (!/^[0-9a-fA-F]{1,32}$/.test(hex)) throw new EngineDocumentError(path, `expected a UUID, got ${describe(value)}`);
  return BigInt(`0x${hex}`);
}

function segmentRule(value: unknown, path: string): SegmentRule {
  const rule = object(value, path);
  const type = text(rule.type, `${path}.type`);
  if (!RULE_TYPES.has(type)) throw new EngineDocumentError(`${path}.type`, `unknown rule type ${JSON.stringify(type)}`);
  return {
    type: type as RuleType,
    conditions: optionalList(rule.conditions, `${path}.conditions`).map((item, i) => segmentCondition(item, `${path}.conditions[${i}]`)),
    rules: optionalList(rule.rules, `${path}.rules`).map((item, i) => segmentRule(item, `${path}.rules[${i}]`)),
  };
}

function segmentCondition(value: unknown, path: string): SegmentCondition {
  const condition = object(value, path);
  const operator = text(condition.operator, `${path}.operator`);
  if (!OPERATORS.has(operator)) throw new EngineDocumentError(`${path}.operator`, `unknown operator ${JSON.stringify(operator)}`);
  const property = condition.property_ == null ? '' : text(condition.property_, `${path}.property_`);
  const raw = condition.value;
  let conditionValue: SegmentCondition['value'];
  if (raw == null) conditionValue = null;
  else if (typeof raw === 'string') conditionValue = raw;
  else if (Array.isArray(raw) && raw.every((item) => typeof item === 'string')) conditionValue = raw as string[];
  else throw new EngineDocumentError(`${path}.value`, `expected a string, got ${describe(raw)}`);
  return { property, operator: operator as ConditionOperator, value: conditionValue };
}

function object(value: unknown, path: string): Json {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new EngineDocumentError(path, `expected an object, got ${describe(value)}`);
  }
  return value as Json;
}

function list(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) throw new EngineDocumentError(path, `expected an array, got ${describe(value)}`);
  return value;
}

function optionalList(value: unknown, path: string): unknown[] {
  return value == null ? [] : list(value, path);
}

function text(value: unknown, path: string): string {
  if (typeof value !== 'string') throw new EngineDocumentError(path, `expected a string, got ${describe(value)}`);
  return value;
}

function boolean(value: unknown, path: string): boolean {
  if (typeof value !== 'boolean') throw new EngineDocumentError(path, `expected a boolean, got ${describe(value)}`);
  return value;
}

function number(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new EngineDocumentError(path, `expected a number, got ${describe(value)}`);
  }
  return value;
}

/** An id: a number or a non-empty string, as a string. */
function identifier(value: unknown, path: string): string {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'string' && value !== '') return value;
  throw new EngineDocumentError(path, `expected an id, got ${describe(value)}`);
}

function flagValue(value: unknown, path: string): FlagValue {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  throw new EngineDocumentError(path, `expected a string, number, boolean or null, got ${describe(value)}`);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'object') return 'an object';
  return typeof value === 'undefined' ? 'nothing' : `${typeof value} ${String(value)}`;
}
