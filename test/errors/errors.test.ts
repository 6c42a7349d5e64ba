import { afterEach, describe, expect, it, vi } from 'vitest';
import { manifest, withFeature } from '../../flags.gen';
import { BackendError, UsageError } from '../../cli/io';
import { ManifestError } from '../../codegen/errors';
import { CONTROL_ERROR_CODES, ControlError, errorResponse } from '../../control/errors';
import { compileEnvironment, EngineDocumentError } from '../../runtime/engine/index';
import { ERROR_CODES, FlagstageError, isFlagstageError, problemOf, type FlagstageErrorCode } from '../../runtime/errors/index';
import { createFlagstage } from '../../runtime/flagstage';
import { watchChanges } from 'flagstage/changes';
import { GrantError, issueGrant } from '../../runtime/grants/index';
import { flagsmithSource } from '../../runtime/sources/flagsmith';
import { SourceError } from '../../runtime/sources/errors';
import type { DocumentSource, LoadedDocument } from '../../runtime/sources/source';
import { staticSource } from '../../runtime/sources/static';
import { gastownDocument, revisionAt } from '../sources/documents';
import { fakeOrigin } from '../sources/fake-origin';
import { explain } from 'flagstage/explain';

const user = { userId: 'u1', orgId: null, isAdmin: false };

/** Runs `fn` and returns what it threw (fails the test when it did not throw). */
async function thrown(fn: () => unknown): Promise<unknown> {
  try {
    await fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

function expectShape(error: unknown, type: new (...args: never[]) => Error, code: FlagstageErrorCode, message: RegExp): void {
  expect(error).toBeInstanceOf(type);
  expect(error).toBeInstanceOf(FlagstageError);
  const e = error as FlagstageError;
  expect(e.code).toBe(code);
  expect(e.message).toMatch(/^flagstage: /);
  expect(e.message).not.toMatch(/^flagstage: flagstage:/);
  expect(e.message).toMatch(message);
  expect(e.problem).toBe(e.message.slice('flagstage: '.length));
  expect(e.name).toBe(type.name);
  expect([...ERROR_CODES, ...CONTROL_ERROR_CODES]).toContain(e.code);
}

describe('FlagstageError', () => {
  it('adds the prefix once, keeps the cause and the code', () => {
    const cause = new Error('socket hang up');
    const error = new FlagstageError('network', 'could not reach the origin', { cause });
    expect(error.message).toBe('flagstage: could not reach the origin');
    expect(new FlagstageError('network', 'flagstage: already prefixed').message).toBe('flagstage: already prefixed');
    expect(error.cause).toBe(cause);
    expect(error.code).toBe('network');
    expect(error.name).toBe('FlagstageError');
    expect('cause' in new FlagstageError('usage', 'no cause')).toBe(false);
    expect(isFlagstageError(error)).toBe(true);
    expect(isFlagstageError(error, 'timeout', 'network')).toBe(true);
    expect(isFlagstageError(error, 'timeout')).toBe(false);
    expect(isFlagstageError(cause)).toBe(false);
    expect(problemOf(error)).toBe('could not reach the origin');
    expect(problemOf(new Error('flagstage: x'))).toBe('x');
    expect(problemOf('plain')).toBe('plain');
  });

  it('lists every code once: the runtime list and the control plane list together hold the whole union', () => {
    const all = [...ERROR_CODES, ...CONTROL_ERROR_CODES];
    expect(new Set(all).size).toBe(all.length);
    // Compile-time: a code in the union but in neither list fails the typecheck here.
    type Missing = Exclude<FlagstageErrorCode, (typeof all)[number]>;
    const complete: [Missing] extends [never] ? true : false = true;
    expect(complete).toBe(true);
  });
});

describe('every error class extends it', () => {
  it('SourceError: a source failure, with path/status and cause', () => {
    const cause = new TypeError('fetch failed');
    const error = new SourceError('http-status', 'the origin answered HTTP 500.', { status: 500, cause });
    expectShape(error, SourceError, 'http-status', /HTTP 500/);
    expect(error.status).toBe(500);
    expect(error.cause).toBe(cause);
  });

  it('EngineDocumentError: thrown by the engine on a malformed document, code invalid-document', async () => {
    const error = await thrown(() => compileEnvironment({ api_key: 'k', feature_states: 'nope' } as never));
    expectShape(error, EngineDocumentError, 'invalid-document', /invalid environment document at /);
    expect((error as EngineDocumentError).path).toBe('feature_states');
    expect((error as Error).message).toContain('at feature_states');
  });

  it('staticSource wraps the engine error as its cause', async () => {
    const error = await thrown(() => staticSource({ nonsense: true } as never));
    expectShape(error, FlagstageError, 'invalid-document', /staticSource got an invalid environment document: invalid environment document/);
    expect((error as Error).cause).toBeInstanceOf(EngineDocumentError);
  });

  it('ManifestError: codegen, code invalid-manifest, names file, line and flag', () => {
    const error = new ManifestError('flags.config.ts', 12, 'convoys', 'parent "gastwon" is not a flag');
    expectShape(error, ManifestError, 'invalid-manifest', /^flagstage: flags\.config\.ts:12: flag "convoys": parent "gastwon" is not a flag$/);
  });

  it('GrantError: a grant configuration mistake, code grant-config', async () => {
    const error = await thrown(() => issueGrant(user, ['gastown'], { secret: 'short', kid: 'k1', ttlSeconds: 60 }));
    expectShape(error, GrantError, 'grant-config', /secret for kid "k1" is 5 bytes/);
    expectShape(await thrown(() => issueGrant(user, ['gastown'], { secret: 'x'.repeat(32), kid: '', ttlSeconds: 60 })), GrantError, 'grant-config', /kid/);
  });

  it("the CLI's UsageError and BackendError, with their exit codes", () => {
    const usage = new UsageError('name a flag');
    expectShape(usage, UsageError, 'usage', /^flagstage: name a flag$/);
    expect(usage.exitCode).toBe(1);
    const backend = new BackendError('Flagsmith answered 502', { cause: new Error('bad gateway') });
    expectShape(backend, BackendError, 'backend', /502/);
    expect(backend.exitCode).toBe(2);
    expect((backend.cause as Error).message).toBe('bad gateway');
  });

  it("the control plane's ControlError: its codes map to HTTP statuses, its JSON body has no prefix and no stack", async () => {
    const statuses = { 'bad-request': 400, unauthenticated: 401, forbidden: 403, 'not-found': 404, conflict: 412, internal: 500 } as const;
    for (const [code, status] of Object.entries(statuses) as [keyof typeof statuses, number][]) {
      const error = new ControlError(code, 'percent 140 is outside 0-100', { field: 'value', fix: 'send a number from 0 to 100' });
      expectShape(error, ControlError, code, /^flagstage: percent 140/);
      expect(error.status).toBe(status);
      const response = errorResponse(error);
      expect(response.status).toBe(status);
      const body = await response.text();
      expect(JSON.parse(body)).toEqual({ error: code, message: 'percent 140 is outside 0-100', field: 'value', fix: 'send a number from 0 to 100' });
      expect(body).not.toMatch(/stack|at .*\.ts/);
    }
    expect(new ControlError('conflict', 'stale', { revision: 7 }).toJSON()).toEqual({ error: 'conflict', message: 'stale', revision: 7 });
  });

  it('configuration mistakes at construction are invalid-option', async () => {
    expectShape(await thrown(() => createFlagstage({ manifest, source: null as never })), FlagstageError, 'invalid-option', /needs a source/);
    expectShape(
      await thrown(() => flagsmithSource({ apiUrl: 'nope', environmentKey: 'ser.x', ttlMs: 1, maxStaleMs: 1, timeoutMs: 1 })),
      FlagstageError,
      'invalid-option',
      /apiUrl "nope" is not a URL/,
    );
  });
});

describe('run-time errors', () => {
  const flags = createFlagstage({ manifest, source: staticSource(null) });

  it('an unknown flag is a FlagstageError with code unknown-flag, from decide, explain and withFeature', async () => {
    expectShape(await thrown(() => flags.decide('nope' as 'gastown', user)), FlagstageError, 'unknown-flag', /unknown flag "nope"/);
    expectShape(await thrown(() => explain(flags, 'nope' as 'gastown', user)), FlagstageError, 'unknown-flag', /unknown flag "nope"/);
    expectShape(await thrown(() => withFeature('nope' as 'gastown')), FlagstageError, 'unknown-flag', /unknown flag "nope"; it is not in flags\.config\.ts/);
  });

  it('an identity without a userId is invalid-identity', async () => {
    expectShape(await thrown(() => flags.decide('gastown', { userId: '', isAdmin: false })), FlagstageError, 'invalid-identity', /non-empty userId/);
  });
});

describe('createFlagstage({ onError })', () => {
  afterEach(() => vi.restoreAllMocks());

  it("receives the source's errors (and nothing reaches the console)", async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const origin = fakeOrigin({ doc: gastownDocument({ revision: revisionAt(1), stage: 'ga' }) });
    origin.fail('http-500');
    const source = flagsmithSource({ apiUrl: origin.apiUrl, environmentKey: origin.key, fetch: origin.fetch, ttlMs: 1_000, maxStaleMs: 60_000, timeoutMs: 1_000 });
    const errors: FlagstageError[] = [];
    const flags = createFlagstage({ manifest, source, logChanges: false, onError: (error) => errors.push(error) });
    expect(await flags.decide('gastown', user)).toMatchObject({ allowed: false, reason: 'no-environment' });
    expect(errors).toHaveLength(1);
    expectShape(errors[0], SourceError, 'http-status', /HTTP 500/);
    expect((errors[0] as SourceError).status).toBe(500);
    expect(warn).not.toHaveBeenCalled();
    // The source's type is kept: refresh() needs no second variable.
    origin.fail('invalid-json');
    await flags.source.refresh();
    expect(errors.map((error) => error.code)).toEqual(['http-status', 'invalid-json']);
    flags.close();
    origin.fail('timeout');
    await flags.source.refresh();
    expect(errors).toHaveLength(2);
    // With nobody listening any more, the source falls back to one console line.
    expect(warn).toHaveBeenCalledTimes(1);
    expect(JSON.parse(String(warn.mock.calls[0]![0]))).toMatchObject({ type: 'flagstage.error', code: 'timeout' });
  });

  it("gets them as well as the source's own onError", async () => {
    const origin = fakeOrigin({ doc: gastownDocument({ revision: revisionAt(1) }) });
    origin.fail('http-500');
    const own: SourceError[] = [];
    const source = flagsmithSource({ apiUrl: origin.apiUrl, environmentKey: origin.key, fetch: origin.fetch, ttlMs: 1_000, maxStaleMs: 60_000, timeoutMs: 1_000, onError: (error) => own.push(error) });
    const errors: FlagstageError[] = [];
    const flags = createFlagstage({ manifest, source, onError: (error) => errors.push(error) });
    await flags.decide('gastown', user);
    expect(own.map((error) => error.code)).toEqual(['http-status']);
    expect(errors).toEqual(own);
  });

  it('receives a throwing source as source-failed, and a failing change sink as listener', async () => {
    const boom = new Error('boom');
    const errors: FlagstageError[] = [];
    let listener: ((next: LoadedDocument, previous: LoadedDocument | null) => void) | undefined;
    const broken: DocumentSource = {
      current: () => Promise.reject(boom),
      subscribe: (fn) => {
        listener = fn;
        return () => undefined;
      },
    };
    const flags = createFlagstage({ manifest, source: broken, onError: (error) => errors.push(error) });
    watchChanges(broken, {
      manifest,
      console: false,
      onChange: () => {
        throw new Error('sink down');
      },
      onError: (error) => errors.push(error),
    });
    expect(await flags.decide('gastown', user)).toMatchObject({ allowed: false, reason: 'no-environment' });
    expectShape(errors[0], FlagstageError, 'source-failed', /the source threw/);
    expect(errors[0]!.cause).toBe(boom);

    const before = (await staticSource(gastownDocument({ revision: revisionAt(1) }) as never).current())!;
    const after = (await staticSource(gastownDocument({ revision: revisionAt(2), stage: 'ga' }) as never).current())!;
    listener!(after, before);
    expectShape(errors[1], FlagstageError, 'listener', /a change event sink failed \(sink down\)/);
  });

  it('a throwing onError never reaches the request', async () => {
    const origin = fakeOrigin({ doc: gastownDocument({ revision: revisionAt(1) }) });
    origin.fail('http-500');
    const source = flagsmithSource({ apiUrl: origin.apiUrl, environmentKey: origin.key, fetch: origin.fetch, ttlMs: 1_000, maxStaleMs: 60_000, timeoutMs: 1_000 });
    const flags = createFlagstage({ manifest, source, onError: () => {
        throw new Error('handler down');
      },
    });
    expect(await flags.decide('gastown', user)).toMatchObject({ reason: 'no-environment' });
  });
});

describe('README', () => {
  it("lists every error code in the Errors table, in ERROR_CODES' then CONTROL_ERROR_CODES' order", async () => {
    const { readFileSync } = await import('node:fs');
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('### Errors'), readme.indexOf('## Adapters'));
    const codes = [...section.matchAll(/^\| `([a-z-]+)` \|/gm)].map((match) => match[1]);
    expect(codes).toEqual([...ERROR_CODES, ...CONTROL_ERROR_CODES]);
  });
});
