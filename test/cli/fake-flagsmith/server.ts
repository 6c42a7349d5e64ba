import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { adminApiSpec, type MatchedOperation } from './openapi';
import { FakeState, type FakeFeature, type FakeFeatureSegment, type FakeFeatureState, type FakeRule, type FakeSegment } from './state';

/**
 * A fake Flagsmith Admin API on a free local port. Every request is matched to an operation of the
 * Admin API's OpenAPI spec and its parameters and body are validated against it; so is every
 * response the fake sends. A request that does not validate gets a 400 and is recorded in
 * `violations`, which the tests assert empty. It also serves the SDK's
 * `GET /api/v1/environment-document/` (X-Environment-Key: a server key) from the same state, so
 * the runtime's flagsmithSource can be pointed at it.
 */
export interface FakeFlagsmith {
  readonly url: string;
  /** What FLAGSMITH_API_URL should be. */
  readonly apiUrl: string;
  readonly apiKey: string;
  readonly state: FakeState;
  /** Spec violations (requests and responses); must stay empty. */
  readonly violations: string[];
  /** `METHOD /path/template` of every Admin API request, in order. */
  readonly calls: string[];
  /** Makes the next request matching `method` and the path regex fail with `status` and `body`. */
  failNext(method: string, path: RegExp, status: number, body: unknown): void;
  /**
   * Holds the next request matching `method` and the path regex before it is applied, so a test can
   * make a slow request deterministic: `reached` resolves when it arrives, `release()` lets it go on.
   */
  holdNext(method: string, path: RegExp): { readonly reached: Promise<void>; release(): void };
  /** The environment document of an environment, as the SDK endpoint serves it. */
  document(apiKey: string): Record<string, unknown>;
  close(): Promise<void>;
}

interface Hold {
  readonly method: string;
  readonly path: RegExp;
  readonly arrived: () => void;
  readonly released: Promise<void>;
}

interface Failure {
  readonly method: string;
  readonly path: RegExp;
  readonly status: number;
  readonly body: unknown;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(JSON.stringify(body));
  }
}

/**
 * @example
 * ```ts
 * const fake = await startFakeFlagsmith({ maxPageSize: 2 });
 * const env = { FLAGSMITH_API_URL: fake.apiUrl, FLAGSMITH_ADMIN_API_KEY: fake.apiKey, FLAGSMITH_PROJECT_ID: '12', FLAGSMITH_ENVIRONMENT_KEY: 'DevEnvKey0000000000001' };
 * ```
 */
export async function startFakeFlagsmith(options: { readonly maxPageSize?: number } = {}): Promise<FakeFlagsmith> {
  const spec = adminApiSpec();
  const state = new FakeState();
  const apiKey = 'fake-org-api-key';
  const violations: string[] = [];
  const calls: string[] = [];
  const failures: Failure[] = [];
  const holds: Hold[] = [];
  const maxPageSize = options.maxPageSize ?? 2;
  let base = '';

  const server = createServer(async (request, response) => {
    const raw = await readBody(request);
    const url = new URL(request.url ?? '/', base);
    const method = request.method ?? 'GET';
    try {
      const matched = spec.match(method, url.pathname);
      if (!matched) {
        violations.push(`${method} ${url.pathname}: no such operation in the Admin API spec`);
        throw new HttpError(404, { detail: 'Not found.' });
      }
      calls.push(`${matched.method} ${matched.template}`);
      if (matched.operationId === 'sdk_v1_environment_document') {
        // The SDK endpoint: a server-side environment key instead of the organisation API key.
        const environment = state.environments.find((env) => env.server_key === request.headers['x-environment-key']);
        if (!environment) throw new HttpError(401, { detail: 'Invalid or missing X-Environment-Key' });
        const document = documentOf(state, environment.api_key);
        violations.push(...spec.checkResponse(matched, 200, document).map((problem) => `${matched.operationId} response: ${problem}`));
        return respond(response, 200, document);
      }
      if (request.headers.authorization !== `Api-Key ${apiKey}`) throw new HttpError(401, { detail: 'Authentication credentials were not provided.' });
      let body: unknown;
      if (raw.length > 0) {
        if (!String(request.headers['content-type']).startsWith('application/json')) violations.push(`${method} ${url.pathname}: body without Content-Type: application/json`);
        try {
          body = JSON.parse(raw);
        } catch {
          violations.push(`${method} ${url.pathname}: body is not JSON`);
          throw new HttpError(400, { detail: 'JSON parse error' });
        }
      }
      const problems = spec.checkRequest(matched, url.searchParams, body, raw.length > 0);
      if (problems.length > 0) {
        violations.push(...problems.map((problem) => `${matched.operationId} (${method} ${url.pathname}): ${problem}`));
        throw new HttpError(400, { detail: 'fake Flagsmith: the request does not validate against the Admin API spec', problems });
      }
      const hold = holds.findIndex((candidate) => candidate.method === method && candidate.path.test(url.pathname));
      if (hold >= 0) {
        const [held] = holds.splice(hold, 1) as [Hold];
        held.arrived();
        await held.released;
      }
      const failure = failures.findIndex((candidate) => candidate.method === method && candidate.path.test(url.pathname));
      if (failure >= 0) {
        const [{ status, body: failureBody }] = failures.splice(failure, 1) as [Failure];
        throw new HttpError(status, failureBody);
      }
      const { status, body: result } = route(state, matched, url, body, { base, maxPageSize });
      const responseProblems = spec.checkResponse(matched, status, result);
      if (responseProblems.length > 0) violations.push(...responseProblems.map((problem) => `${matched.operationId} response: ${problem}`));
      respond(response, status, result);
    } catch (error) {
      if (error instanceof HttpError) return respond(response, error.status, error.body);
      violations.push(`${method} ${url.pathname}: the fake threw ${(error as Error).stack ?? String(error)}`);
      respond(response, 500, { detail: 'fake Flagsmith crashed' });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  base = `http://127.0.0.1:${port}`;

  return {
    url: base,
    apiUrl: `${base}/api/v1/`,
    apiKey,
    state,
    violations,
    calls,
    failNext: (method, path, status, body) => failures.push({ method, path, status, body }),
    holdNext(method, path) {
      let arrived = () => {};
      let release = () => {};
      const reached = new Promise<void>((resolve) => (arrived = resolve));
      const released = new Promise<void>((resolve) => (release = resolve));
      holds.push({ method, path, arrived, released });
      return { reached, release };
    },
    document: (key) => documentOf(state, key),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function respond(response: ServerResponse, status: number, body: unknown): void {
  if (body === undefined) {
    response.writeHead(status);
    response.end();
    return;
  }
  response.writeHead(status, { 'Content-Type': 'application/json' });
  response.end(JSON.stringify(body));
}

type Body = Record<string, unknown>;
interface RouteOptions {
  readonly base: string;
  readonly maxPageSize: number;
}

function route(state: FakeState, matched: MatchedOperation, url: URL, input: unknown, options: RouteOptions): { status: number; body: unknown } {
  const body = (input ?? {}) as Body;
  const params = matched.params;
  const query = url.searchParams;
  const ok = (value: unknown) => ({ status: 200, body: value });
  const created = (value: unknown) => ({ status: 201, body: value });
  const page = <T>(items: readonly T[], serialise: (item: T) => unknown) => ok(paginate(items.map(serialise), url, options));
  const int = (value: string | null) => (value === null ? null : Number(value));

  switch (`${matched.method} ${matched.template}`) {
    case 'GET /api/v1/environments/{api_key}/': {
      const environment = environmentByKey(state, params.api_key);
      return ok(serialiseEnvironment(state, environment));
    }
    case 'GET /api/v1/environments/{api_key}/document/':
      return ok(documentOf(state, environmentByKey(state, params.api_key).api_key));

    case 'GET /api/v1/projects/{project_pk}/features/':
      projectOf(state, params.project_pk);
      return page(state.features, serialiseFeature);
    case 'POST /api/v1/projects/{project_pk}/features/': {
      projectOf(state, params.project_pk);
      const name = String(body.name);
      if (state.features.some((feature) => feature.name === name)) throw new HttpError(400, { name: ['Feature with that name already exists.'] });
      const feature: FakeFeature = {
        id: state.nextId(),
        uuid: randomUUID(),
        name,
        description: (body.description as string | null | undefined) ?? null,
        project: state.project.id,
        default_enabled: body.default_enabled === true,
        type: 'STANDARD',
        created_date: state.now(),
      };
      state.features.push(feature);
      // Like Flagsmith: every environment gets the feature's default state.
      for (const environment of state.environments) state.featureStates.push(newState(state, feature.id, environment.id, null, feature.default_enabled));
      state.touch(null, `New Flag / Remote Config created: ${name}`, 'FEATURE', feature.id);
      return created(serialiseFeature(feature));
    }

    case 'GET /api/v1/projects/{project_pk}/segments/':
      projectOf(state, params.project_pk);
      return page(state.segments, serialiseSegment);
    case 'GET /api/v1/projects/{project_pk}/segments/{id}/':
      return ok(serialiseSegment(segmentById(state, params.id)));
    case 'POST /api/v1/projects/{project_pk}/segments/': {
      projectOf(state, params.project_pk);
      const rules = validRules(state, body.rules);
      const segment: FakeSegment = {
        id: state.nextId(),
        uuid: randomUUID(),
        name: String(body.name),
        description: (body.description as string | null | undefined) ?? null,
        project: state.project.id,
        rules,
        created_at: state.now(),
        updated_at: state.now(),
      };
      state.segments.push(segment);
      state.touch(null, `New Segment created: ${segment.name}`, 'SEGMENT', segment.id);
      return created(serialiseSegment(segment));
    }
    case 'PUT /api/v1/projects/{project_pk}/segments/{id}/': {
      const segment = segmentById(state, params.id);
      // Like Flagsmith: rules sent without ids replace the whole rule tree.
      segment.rules = validRules(state, body.rules);
      segment.name = String(body.name);
      if (body.description !== undefined) segment.description = body.description as string | null;
      segment.updated_at = state.now();
      state.touch(null, `Segment updated: ${segment.name}`, 'SEGMENT', segment.id);
      return ok(serialiseSegment(segment));
    }

    case 'GET /api/v1/features/feature-segments/': {
      const environment = int(query.get('environment'));
      const feature = int(query.get('feature'));
      const list = state.featureSegments
        .filter((fs) => (environment === null || fs.environment === environment) && (feature === null || fs.feature === feature))
        .sort((a, b) => a.priority - b.priority);
      return page(list, (fs) => serialiseFeatureSegmentList(state, fs));
    }
    case 'POST /api/v1/features/feature-segments/': {
      const feature = featureById(state, body.feature);
      const segment = segmentById(state, String(body.segment));
      const environment = state.environments.find((env) => env.id === body.environment);
      if (!environment) throw new HttpError(400, { environment: ['Invalid pk - object does not exist.'] });
      if (state.featureSegments.some((fs) => fs.feature === feature.id && fs.segment === segment.id && fs.environment === environment.id)) {
        throw new HttpError(400, { non_field_errors: ['The fields feature, environment, segment must make a unique set.'] });
      }
      const siblings = state.featureSegments.filter((fs) => fs.feature === feature.id && fs.environment === environment.id);
      const featureSegment: FakeFeatureSegment = {
        id: state.nextId(),
        uuid: randomUUID(),
        feature: feature.id,
        segment: segment.id,
        environment: environment.id,
        // New overrides go last (lowest priority), as in Flagsmith.
        priority: siblings.length === 0 ? 0 : Math.max(...siblings.map((fs) => fs.priority)) + 1,
      };
      state.featureSegments.push(featureSegment);
      state.touch(environment.id, `Segment override created for feature '${feature.name}' and segment '${segment.name}'`, 'FEATURE', feature.id);
      return created(serialiseFeatureSegmentCreate(featureSegment));
    }
    case 'POST /api/v1/features/feature-segments/update-priorities/': {
      const changes = input as { id: number; priority: number }[];
      const touched: FakeFeatureSegment[] = [];
      for (const change of changes) {
        const fs = state.featureSegments.find((candidate) => candidate.id === change.id);
        if (!fs) throw new HttpError(400, { id: [`Invalid pk "${change.id}" - object does not exist.`] });
        fs.priority = change.priority;
        touched.push(fs);
      }
      // Others of the same feature keep their order, after the ones placed.
      for (const fs of touched) {
        const others = state.featureSegments
          .filter((other) => other.feature === fs.feature && other.environment === fs.environment && !touched.includes(other))
          .sort((a, b) => a.priority - b.priority);
        const top = Math.max(...touched.map((t) => t.priority));
        others.forEach((other, index) => {
          other.priority = top + 1 + index;
        });
      }
      if (touched[0]) state.touch(touched[0].environment, 'Segment overrides re-ordered', 'FEATURE', touched[0].feature);
      return ok(paginate(touched.map((fs) => serialiseFeatureSegmentList(state, fs)), url, options));
    }

    case 'GET /api/v1/features/featurestates/': {
      const environment = int(query.get('environment'));
      const feature = int(query.get('feature'));
      const featureSegment = int(query.get('feature_segment'));
      const list = state.featureStates.filter(
        (fs) =>
          (environment === null || fs.environment === environment) &&
          (feature === null || fs.feature === feature) &&
          (featureSegment === null || fs.feature_segment === featureSegment),
      );
      return page(list, serialiseFeatureState);
    }
    case 'POST /api/v1/features/featurestates/': {
      const feature = featureById(state, body.feature);
      const environment = state.environments.find((env) => env.id === body.environment);
      if (!environment) throw new HttpError(400, { environment: ['Invalid pk - object does not exist.'] });
      const featureSegmentId = (body.feature_segment as number | null | undefined) ?? null;
      if (featureSegmentId === null) throw new HttpError(400, { detail: 'The environment default already exists; update it instead.' });
      const featureSegment = state.featureSegments.find((fs) => fs.id === featureSegmentId);
      if (!featureSegment || featureSegment.feature !== feature.id || featureSegment.environment !== environment.id) {
        throw new HttpError(400, { feature_segment: ['Invalid feature segment for this feature and environment.'] });
      }
      if (state.featureStates.some((fs) => fs.feature_segment === featureSegmentId)) throw new HttpError(400, { detail: 'Feature state already exists for this segment.' });
      const featureState = newState(state, feature.id, environment.id, featureSegmentId, body.enabled === true);
      state.featureStates.push(featureState);
      state.touch(environment.id, `Flag state / Remote config value updated for feature: ${feature.name}`, 'FEATURE_STATE', featureState.id);
      return created(serialiseFeatureState(featureState));
    }
    case 'PATCH /api/v1/features/featurestates/{id}/': {
      const featureState = featureStateById(state, params.id);
      if (typeof body.enabled === 'boolean') featureState.enabled = body.enabled;
      featureState.updated_at = state.now();
      state.touch(featureState.environment, `Flag state / Remote config value updated for feature: ${featureById(state, featureState.feature).name}`, 'FEATURE_STATE', featureState.id);
      return ok(serialiseFeatureState(featureState));
    }
    case 'PATCH /api/v1/environments/{environment_api_key}/featurestates/{id}/': {
      const environment = environmentByKey(state, params.environment_api_key);
      const featureState = featureStateById(state, params.id);
      if (featureState.environment !== environment.id || featureState.feature_segment !== null) throw new HttpError(404, { detail: 'Not found.' });
      if (body.feature !== undefined && body.feature !== featureState.feature) throw new HttpError(400, { feature: ['Feature does not match.'] });
      if (typeof body.enabled === 'boolean') featureState.enabled = body.enabled;
      featureState.updated_at = state.now();
      state.touch(environment.id, `Flag state / Remote config value updated for feature: ${featureById(state, featureState.feature).name}`, 'FEATURE_STATE', featureState.id);
      return ok({ feature: featureState.feature, enabled: featureState.enabled });
    }

    case 'GET /api/v1/projects/{project_pk}/audit/':
    case 'GET /api/v1/audit/': {
      const environments = query.getAll('environments').map(Number);
      const list = [...state.audit].reverse().filter((log) => environments.length === 0 || log.environment === null || environments.includes(log.environment));
      return page(list, (log) => ({
        id: log.id,
        created_date: log.created_date,
        log: log.log,
        author: { id: 1, email: 'admin-api-key@gastown.example', first_name: 'Organisation', last_name: 'API key', last_login: null, uuid: '3f0e7c9a-4b1d-4e2a-9c3b-2a1d0e9f8c7b' },
        environment: log.environment === null ? serialiseEnvironmentLight(state, state.environments[0]!) : serialiseEnvironmentLight(state, state.environments.find((env) => env.id === log.environment)!),
        project: { id: state.project.id, uuid: state.project.uuid, name: state.project.name, organisation: state.organisation.id, hide_disabled_flags: false },
        related_object_id: log.related_object_id,
        related_object_uuid: null,
        related_object_type: log.related_object_type,
        is_system_event: false,
      }));
    }
    default:
      throw new HttpError(501, { detail: `fake Flagsmith does not implement ${matched.method} ${matched.template}` });
  }
}

function paginate(items: readonly unknown[], url: URL, options: RouteOptions) {
  const size = Math.min(Number(url.searchParams.get('page_size') ?? options.maxPageSize) || options.maxPageSize, options.maxPageSize);
  const number = Number(url.searchParams.get('page') ?? '1') || 1;
  const at = (page: number) => {
    const next = new URL(url.pathname + url.search, options.base);
    next.searchParams.set('page', String(page));
    return next.toString();
  };
  return {
    count: items.length,
    next: number * size < items.length ? at(number + 1) : null,
    previous: number > 1 ? at(number - 1) : null,
    results: items.slice((number - 1) * size, number * size),
  };
}

function validRules(state: FakeState, raw: unknown): FakeRule[] {
  const rules = (raw ?? []) as { type: FakeRule['type']; rules?: unknown; conditions?: { operator: string; property?: string | null; value?: unknown; description?: string | null }[] }[];
  // Flagsmith's own checks (api/segments/serializers.py).
  if (rules.length === 0) throw new HttpError(400, { rules: 'Segment cannot be created without any rules.' });
  let count = 0;
  const build = (list: typeof rules): FakeRule[] =>
    list.map((rule) => ({
      id: state.nextId(),
      type: rule.type,
      rules: build((rule.rules ?? []) as typeof rules),
      conditions: (rule.conditions ?? []).map((condition) => {
        count += 1;
        if (condition.operator !== 'PERCENTAGE_SPLIT' && !condition.property) throw new HttpError(400, { property: ['This field may not be blank.'] });
        return {
          id: state.nextId(),
          operator: condition.operator,
          property: condition.property ?? null,
          value: condition.value === undefined || condition.value === null ? null : String(condition.value),
          description: condition.description ?? null,
        };
      }),
    }));
  const built = build(rules);
  if (count > 100) throw new HttpError(400, { segment: `The segment has ${count} conditions, which exceeds the maximum condition count of 100.` });
  return built;
}

function newState(state: FakeState, feature: number, environment: number, featureSegment: number | null, enabled: boolean): FakeFeatureState {
  const at = state.now();
  return { id: state.nextId(), uuid: randomUUID(), feature, environment, identity: null, feature_segment: featureSegment, enabled, created_at: at, updated_at: at };
}

function projectOf(state: FakeState, id: string | undefined) {
  if (Number(id) !== state.project.id) throw new HttpError(404, { detail: 'Not found.' });
  return state.project;
}

function environmentByKey(state: FakeState, key: string | undefined) {
  const environment = state.environments.find((env) => env.api_key === key);
  if (!environment) throw new HttpError(404, { detail: 'Not found.' });
  return environment;
}

function featureById(state: FakeState, id: unknown): FakeFeature {
  const feature = state.features.find((candidate) => candidate.id === Number(id));
  if (!feature) throw new HttpError(400, { feature: [`Invalid pk "${String(id)}" - object does not exist.`] });
  return feature;
}

function segmentById(state: FakeState, id: string | undefined): FakeSegment {
  const segment = state.segments.find((candidate) => candidate.id === Number(id));
  if (!segment) throw new HttpError(404, { detail: 'Not found.' });
  return segment;
}

function featureStateById(state: FakeState, id: string | undefined): FakeFeatureState {
  const featureState = state.featureStates.find((candidate) => candidate.id === Number(id));
  if (!featureState) throw new HttpError(404, { detail: 'Not found.' });
  return featureState;
}

function serialiseFeature(feature: FakeFeature) {
  return {
    id: feature.id,
    uuid: feature.uuid,
    name: feature.name,
    type: feature.type,
    default_enabled: feature.default_enabled,
    initial_value: null,
    created_date: feature.created_date,
    description: feature.description,
    tags: [],
    multivariate_options: [],
    is_archived: false,
    owners: [],
    group_owners: [],
    project: feature.project,
    environment_feature_state: null,
    segment_feature_state: null,
    num_segment_overrides: 0,
    num_identity_overrides: null,
    is_server_key_only: false,
    metadata: [],
  };
}

function serialiseRule(rule: FakeRule): unknown {
  return {
    id: rule.id,
    type: rule.type,
    rules: rule.rules.map(serialiseRule),
    conditions: rule.conditions.map((condition) => ({ id: condition.id, operator: condition.operator, property: condition.property, value: condition.value, description: condition.description })),
  };
}

function serialiseSegment(segment: FakeSegment) {
  return {
    id: segment.id,
    uuid: segment.uuid,
    created_at: segment.created_at,
    updated_at: segment.updated_at,
    name: segment.name,
    description: segment.description,
    project: segment.project,
    feature: null,
    version_of: null,
    rules: segment.rules.map(serialiseRule),
    metadata: [],
  };
}

function serialiseFeatureSegmentCreate(fs: FakeFeatureSegment) {
  return { id: fs.id, uuid: fs.uuid, feature: fs.feature, segment: fs.segment, environment: fs.environment, priority: fs.priority };
}

function serialiseFeatureSegmentList(state: FakeState, fs: FakeFeatureSegment) {
  const segment = state.segments.find((candidate) => candidate.id === fs.segment);
  return { id: fs.id, uuid: fs.uuid, segment: fs.segment, priority: fs.priority, environment: fs.environment, segment_name: segment?.name ?? '', is_feature_specific: false };
}

function serialiseFeatureState(fs: FakeFeatureState) {
  return {
    id: fs.id,
    uuid: fs.uuid,
    feature_state_value: { type: 'unicode', string_value: null, integer_value: null, boolean_value: null },
    multivariate_feature_state_values: [],
    enabled: fs.enabled,
    created_at: fs.created_at,
    updated_at: fs.updated_at,
    live_from: fs.created_at,
    version: null,
    deleted_at: null,
    feature: fs.feature,
    environment: fs.environment,
    identity: null,
    feature_segment: fs.feature_segment,
    change_request: null,
    environment_feature_version: null,
  };
}

function serialiseEnvironmentLight(state: FakeState, environment: FakeState['environments'][number]) {
  return {
    id: environment.id,
    uuid: environment.uuid,
    name: environment.name,
    api_key: environment.api_key,
    description: null,
    project: environment.project,
    minimum_change_request_approvals: null,
    allow_client_traits: true,
    banner_text: null,
    banner_colour: null,
    hide_disabled_flags: null,
    use_mv_v2_evaluation: true,
    use_identity_composite_key_for_hashing: true,
    hide_sensitive_data: false,
    use_v2_feature_versioning: false,
    use_identity_overrides_in_local_eval: false,
    is_creating: false,
  };
}

function serialiseEnvironment(state: FakeState, environment: FakeState['environments'][number]) {
  return {
    ...serialiseEnvironmentLight(state, environment),
    metadata: [],
    total_segment_overrides: state.featureStates.filter((fs) => fs.environment === environment.id && fs.feature_segment !== null).length,
  };
}

/** The environment document Flagsmith would build from this state (V1EnvironmentDocumentResponse). */
function documentOf(state: FakeState, apiKey: string): Record<string, unknown> {
  const environment = environmentByKey(state, apiKey);
  const featureOf = (id: number) => {
    const feature = state.features.find((candidate) => candidate.id === id);
    return { id, name: feature?.name ?? '', type: feature?.type ?? 'STANDARD' };
  };
  const stateDocument = (fs: FakeFeatureState, priority: number | null) => ({
    feature: featureOf(fs.feature),
    enabled: fs.enabled,
    feature_state_value: null,
    featurestate_uuid: fs.uuid,
    django_id: fs.id,
    feature_segment: priority === null ? null : { priority },
    multivariate_feature_state_values: [],
  });
  const ruleDocument = (rule: FakeRule): unknown => ({
    type: rule.type,
    rules: rule.rules.map(ruleDocument),
    conditions: rule.conditions.map((condition) => ({ operator: condition.operator, property_: condition.property ?? '', value: condition.value ?? '' })),
  });
  return {
    id: environment.id,
    api_key: environment.api_key,
    name: environment.name,
    updated_at: environment.updated_at,
    project: {
      id: state.project.id,
      name: state.project.name,
      organisation: { id: state.organisation.id, name: state.organisation.name, feature_analytics: false, persist_trait_data: true, stop_serving_flags: false },
      hide_disabled_flags: false,
      segments: state.segments.map((segment) => ({
        id: segment.id,
        name: segment.name,
        rules: segment.rules.map(ruleDocument),
        feature_states: state.featureSegments
          .filter((fs) => fs.segment === segment.id && fs.environment === environment.id)
          .flatMap((fs) => state.featureStates.filter((featureState) => featureState.feature_segment === fs.id).map((featureState) => stateDocument(featureState, fs.priority))),
      })),
    },
    feature_states: state.featureStates.filter((fs) => fs.environment === environment.id && fs.feature_segment === null).map((fs) => stateDocument(fs, null)),
    identity_overrides: [],
  };
}
