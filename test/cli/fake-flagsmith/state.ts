import { randomUUID } from 'node:crypto';

/**
 * The fake Flagsmith's data: one organisation, one project, environments, features, segments,
 * segment overrides (feature-segments + feature states) and the audit log, with the behaviour of
 * the real server that flagstage depends on (a new feature gets a default state in every
 * environment, a segment PUT without rule ids replaces the rules, a new feature-segment goes last).
 */

export interface FakeCondition {
  id: number;
  operator: string;
  property: string | null;
  value: string | null;
  description: string | null;
}

export interface FakeRule {
  id: number;
  type: 'ALL' | 'ANY' | 'NONE';
  rules: FakeRule[];
  conditions: FakeCondition[];
}

export interface FakeSegment {
  id: number;
  uuid: string;
  name: string;
  description: string | null;
  project: number;
  rules: FakeRule[];
  created_at: string;
  updated_at: string;
}

export interface FakeFeature {
  id: number;
  uuid: string;
  name: string;
  description: string | null;
  project: number;
  default_enabled: boolean;
  type: 'STANDARD' | 'MULTIVARIATE';
  created_date: string;
}

export interface FakeFeatureSegment {
  id: number;
  uuid: string;
  feature: number;
  segment: number;
  environment: number;
  priority: number;
}

export interface FakeFeatureState {
  id: number;
  uuid: string;
  feature: number;
  environment: number;
  identity: null;
  feature_segment: number | null;
  enabled: boolean;
  created_at: string;
  updated_at: string;
}

export interface FakeEnvironment {
  id: number;
  uuid: string;
  name: string;
  api_key: string;
  /** The server-side key the SDK endpoint takes (X-Environment-Key). */
  server_key: string;
  project: number;
  updated_at: string;
}

export interface FakeAuditLog {
  id: number;
  created_date: string;
  log: string;
  environment: number | null;
  project: number;
  related_object_id: number | null;
  related_object_type: string;
}

export class FakeState {
  readonly organisation = { id: 7, name: 'Gastown Inc' };
  readonly project = { id: 12, uuid: randomUUID(), name: 'gastown', organisation: 7 };
  readonly environments: FakeEnvironment[] = [];
  readonly features: FakeFeature[] = [];
  readonly segments: FakeSegment[] = [];
  readonly featureSegments: FakeFeatureSegment[] = [];
  readonly featureStates: FakeFeatureState[] = [];
  readonly audit: FakeAuditLog[] = [];
  private ids = 100;
  private clock = Date.parse('2030-01-01T00:00:00.000Z');

  constructor() {
    this.addEnvironment('Development', 'DevEnvKey0000000000001', 'ser.dev-server-key');
    this.addEnvironment('Production', 'ProdEnvKey000000000001', 'ser.prod-server-key');
  }

  nextId(): number {
    this.ids += 1;
    return this.ids;
  }

  /** Strictly increasing timestamps with microseconds, as Flagsmith writes them. */
  now(): string {
    this.clock += 1;
    return new Date(this.clock).toISOString().replace('Z', '123Z');
  }

  addEnvironment(name: string, apiKey: string, serverKey: string): FakeEnvironment {
    const environment = { id: this.nextId(), uuid: randomUUID(), name, api_key: apiKey, server_key: serverKey, project: this.project.id, updated_at: this.now() };
    this.environments.push(environment);
    return environment;
  }

  /** Marks environments changed (the document's `updated_at`) and writes an audit entry. */
  touch(environment: number | null, log: string, type: string, objectId: number | null): void {
    const at = this.now();
    for (const env of this.environments) if (environment === null || env.id === environment) env.updated_at = at;
    this.audit.push({ id: this.nextId(), created_date: at, log, environment, project: this.project.id, related_object_id: objectId, related_object_type: type });
  }
}
