import type { z } from '@hono/zod-openapi';
import type {
  AuditPageSchema,
  ChangeResultSchema,
  ExplainResultSchema,
  FlagStatusSchema,
  HistoryPageSchema,
  RollbackResultSchema,
  RolloutSchema,
  StatusSchema,
} from '../api/schemas';
import { ErrorSchema } from '../api/schemas';
import type { PlanRequestSchema, PlanResultSchema, PlanViewSchema } from '../plans/schemas';
import { ControlError, type ControlErrorBody, type ControlErrorCode } from '../errors';

/** What the admin page reads and changes: the admin API's own shapes. */
export type Status = z.infer<typeof StatusSchema>;
export type FlagStatus = z.infer<typeof FlagStatusSchema>;
export type Rollout = z.infer<typeof RolloutSchema>;
export type ChangeResult = z.infer<typeof ChangeResultSchema>;
export type ExplainResult = z.infer<typeof ExplainResultSchema>;
export type AuditPage = z.infer<typeof AuditPageSchema>;
export type AuditEntry = AuditPage['entries'][number];
export type HistoryPage = z.infer<typeof HistoryPageSchema>;
export type RollbackResult = z.infer<typeof RollbackResultSchema>;
export type Plan = z.infer<typeof PlanViewSchema>['plan'];
export type PlanResult = z.infer<typeof PlanResultSchema>;
export type PlanRequest = Omit<z.infer<typeof PlanRequestSchema>, 'reason'>;

/** A change the page asks for, in the API's request shapes (the reason is added by `change`). */
export type ChangeRequest =
  | { readonly action: 'stage'; readonly stage: Rollout['stage']; readonly force?: boolean }
  | { readonly action: 'allow' | 'disallow'; readonly users: readonly string[]; readonly orgs: readonly string[] }
  | { readonly action: 'percent'; readonly value: number; readonly by?: 'user' | 'org' }
  | { readonly action: 'kill' | 'revive' };

export interface ExplainIdentity {
  readonly userId: string;
  readonly orgId: string | null;
  readonly isAdmin: boolean;
}

/**
 * The small interface the admin page needs. It has one implementation, `apiBackend`, which calls the
 * control plane's admin API with the signed-in person's credential: the page has no write path of
 * its own, so every change it makes is validated, authorised and audited by the same code as the
 * CLI's.
 */
export interface AdminBackend {
  status(): Promise<Status>;
  change(flag: string, request: ChangeRequest, reason: string, ifMatch?: number): Promise<ChangeResult>;
  explain(flag: string, identity: ExplainIdentity): Promise<ExplainResult>;
  audit(query: PageQuery): Promise<AuditPage>;
  history(query: PageQuery): Promise<HistoryPage>;
  rollback(revision: number, reason: string): Promise<RollbackResult>;
  /** The flag's rollout plan (active, else latest), or null when it never had one. */
  plan(flag: string): Promise<Plan | null>;
  createPlan(flag: string, request: PlanRequest, reason: string): Promise<PlanResult>;
  planAction(flag: string, verb: 'pause' | 'resume' | 'cancel', reason: string): Promise<PlanResult>;
}

export interface PageQuery {
  readonly flag?: string;
  readonly cursor?: string;
  readonly limit?: number;
}

const CODES: readonly string[] = ErrorSchema.shape.error.options;

/**
 * The admin API of one environment as an `AdminBackend`. `fetch` reaches the control plane (the
 * Worker's own handler when mounted); `credentials` are the headers that authenticate the person
 * (their session as a bearer, or their Cloudflare Access assertion).
 *
 * @example
 * ```ts
 * const backend = apiBackend({ fetch: (request) => app.fetch(request, env), environment: 'production', credentials: { authorization: `Bearer ${session}` } });
 * await backend.change('gastown', { action: 'kill' }, 'incident 42');
 * ```
 */
export function apiBackend(options: {
  readonly fetch: (request: Request) => Promise<Response>;
  readonly environment: string;
  readonly credentials: Readonly<Record<string, string>>;
}): AdminBackend {
  const base = `https://flagstage-admin.internal/v1/environments/${encodeURIComponent(options.environment)}`;
  const call = async <T,>(method: 'GET' | 'POST', path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> => {
    const response = await options.fetch(
      new Request(`${base}${path}`, {
        method,
        headers: { ...options.credentials, ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      }),
    );
    const text = await response.text();
    let parsed: unknown = null;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new ControlError('internal', `the admin API answered ${response.status} without JSON`);
    }
    if (!response.ok) {
      const error = (parsed ?? {}) as Partial<ControlErrorBody>;
      const code = CODES.includes(error.error as ControlErrorCode) ? (error.error as ControlErrorCode) : 'internal';
      throw new ControlError(code, typeof error.message === 'string' ? error.message : `the admin API answered ${response.status}`, {
        ...(typeof error.field === 'string' ? { field: error.field } : {}),
        ...(typeof error.fix === 'string' ? { fix: error.fix } : {}),
        ...(typeof error.revision === 'number' ? { revision: error.revision } : {}),
      });
    }
    return parsed as T;
  };
  const query = (page: PageQuery) => {
    const params = new URLSearchParams();
    if (page.flag !== undefined) params.set('flag', page.flag);
    if (page.cursor !== undefined) params.set('cursor', page.cursor);
    if (page.limit !== undefined) params.set('limit', String(page.limit));
    const text = params.toString();
    return text === '' ? '' : `?${text}`;
  };
  const flagPath = (flag: string, action: string) => `/flags/${encodeURIComponent(flag)}/${action}`;

  return {
    status: () => call<Status>('GET', '/status'),
    change(flag, request, reason, ifMatch) {
      const { action, ...fields } = request;
      return call<ChangeResult>('POST', flagPath(flag, action), { ...fields, reason }, ifMatch === undefined ? {} : { 'if-match': `"${ifMatch}"` });
    },
    explain: (flag, identity) => call<ExplainResult>('POST', flagPath(flag, 'explain'), { identities: [{ userId: identity.userId, orgId: identity.orgId, isAdmin: identity.isAdmin }] }),
    audit: (page) => call<AuditPage>('GET', `/audit${query(page)}`),
    history: (page) => call<HistoryPage>('GET', `/history${query(page)}`),
    rollback: (revision, reason) => call<RollbackResult>('POST', '/rollback', { revision, reason }),
    async plan(flag) {
      try {
        return (await call<{ plan: Plan }>('GET', flagPath(flag, 'plan'))).plan;
      } catch (error) {
        if (error instanceof ControlError && error.code === 'not-found') return null;
        throw error;
      }
    },
    createPlan: (flag, request, reason) => call<PlanResult>('POST', flagPath(flag, 'plan'), { ...request, reason }),
    planAction: (flag, verb, reason) => call<PlanResult>('POST', flagPath(flag, `plan/${verb}`), { reason }),
  };
}
