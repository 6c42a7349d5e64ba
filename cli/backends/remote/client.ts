import { BackendError, UsageError } from '../../io';

/** The control plane's admin API, as the CLI's remote backend calls it. */
export interface ControlClient {
  readonly url: string;
  request<T>(method: 'GET' | 'POST', path: string, options?: { readonly body?: unknown; readonly ifMatch?: number }): Promise<T>;
}

/** A 412 from the API: the environment moved on since it was read. */
export class RevisionConflict extends Error {
  constructor(readonly revision: number) {
    super(`the environment is now at revision ${revision}`);
    this.name = 'RevisionConflict';
  }
}

/**
 * A client for `FLAGSTAGE_URL` with `FLAGSTAGE_TOKEN`: refusals become one-line CLI errors with the
 * API's fix (exit 1), an unreachable or failing control plane a backend error (exit 2).
 *
 * @example
 * ```ts
 * const client = controlClient({ url: 'http://127.0.0.1:8790', token: 'fst_…' });
 * const status = await client.request('GET', '/v1/environments/production/status');
 * ```
 */
export function controlClient(options: { readonly url: string; readonly token: string; readonly fetch?: typeof fetch }): ControlClient {
  const base = options.url.replace(/\/+$/, '');
  const fetchFn = options.fetch ?? fetch;
  return {
    url: base,
    async request<T>(method: 'GET' | 'POST', path: string, request: { readonly body?: unknown; readonly ifMatch?: number } = {}): Promise<T> {
      const headers: Record<string, string> = { authorization: `Bearer ${options.token}`, accept: 'application/json' };
      if (request.body !== undefined) headers['content-type'] = 'application/json';
      if (request.ifMatch !== undefined) headers['if-match'] = `"${request.ifMatch}"`;
      let response: Response;
      try {
        response = await fetchFn(`${base}${path}`, { method, headers, ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }), signal: AbortSignal.timeout(30_000) });
      } catch (error) {
        const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
        throw new BackendError(`cannot reach the control plane at ${base} (${cause}); check FLAGSTAGE_URL, or start one with \`flagstage serve\``);
      }
      const text = await response.text();
      const body = parseBody(text);
      if (response.ok) return body as T;
      if (response.status === 412 && typeof body?.revision === 'number') throw new RevisionConflict(body.revision);
      const said = body?.message ? `${body.message}${body.fix ? `; ${body.fix}` : ''}` : `HTTP ${response.status}`;
      if (response.status === 401) throw new UsageError(`the control plane refused the credentials (${said}); set FLAGSTAGE_TOKEN to a token it knows (\`flagstage serve\` prints one)`);
      if (response.status === 403) throw new UsageError(`the control plane refused: ${said}`);
      if (response.status === 400 || response.status === 404) throw new UsageError(said);
      throw new BackendError(`the control plane at ${base} failed: ${said}`);
    },
  };
}

interface ErrorBody {
  readonly error?: string;
  readonly message?: string;
  readonly fix?: string;
  readonly field?: string;
  readonly revision?: number;
}

function parseBody(text: string): (ErrorBody & Record<string, unknown>) | null {
  try {
    return text === '' ? null : (JSON.parse(text) as ErrorBody & Record<string, unknown>);
  } catch {
    return null;
  }
}
