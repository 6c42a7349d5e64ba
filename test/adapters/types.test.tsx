// Compile-time checks, run by `npm run typecheck` (tsc): every @ts-expect-error below fails the
// build if the line it guards ever compiles. An unknown flag key is a compile error in every adapter.
import { initTRPC } from '@trpc/server';
import { Hono } from 'hono';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { defineGate, type Decision, type FlagKey, type FlagSnapshot, type Identity } from 'flagstage';
import { grantVerifier, type Grant } from 'flagstage/grants';
import { flagstage, requireFlag as honoRequireFlag, type FlagstageRequest, type FlagstageVariables } from 'flagstage/hono';
import { flagGuard, flagstageServer } from 'flagstage/next';
import { Feature, FlagstageProvider, useFlag } from 'flagstage/react';
import { createRequireFlag } from 'flagstage/trpc';
import { requireGastown, withFeature } from '../../flags.gen';
import { aliceOnly, flagsFor } from './support';

const flags = flagsFor(aliceOnly);
const nope = defineGate('nope');

describe('flagstage/hono types', () => {
  it("types c.var through the app's Env (FlagstageVariables), not a global augmentation, and rejects unknown flags", () => {
    const app = new Hono<{ Variables: { user: string } & FlagstageVariables }>();
    app.use(flagstage<{ Variables: { user: string } & FlagstageVariables }>(flags, { identity: (c) => ({ userId: c.var.user, isAdmin: false }) }));
    // @ts-expect-error an Env without FlagstageVariables: flagstage() could not type what it sets
    flagstage<{ Variables: { user: string } }>(flags, { identity: () => null });
    const bare = new Hono();
    bare.get('/y', (c) => {
      // @ts-expect-error nothing is added to Hono's global ContextVariableMap
      expectTypeOf(c.var.flagstage).toEqualTypeOf<FlagstageRequest>();
      return c.text('ok');
    });
    app.get('/x', honoRequireFlag(withFeature('convoys')), async (c) => {
      expectTypeOf(c.var.flagDecision).toEqualTypeOf<Decision>();
      expectTypeOf(c.var.flagGrant).toEqualTypeOf<Grant<FlagKey>>();
      expectTypeOf(c.var.flagstage).toEqualTypeOf<FlagstageRequest>();
      expectTypeOf(c.var.flagstage.decide('prMerge')).resolves.toEqualTypeOf<Decision<'prMerge'> | null>();
      expectTypeOf(c.var.flagstage.snapshot()).resolves.toEqualTypeOf<FlagSnapshot>();
      // @ts-expect-error 'nope' is not a flag of the manifest
      void c.var.flagstage.decide('nope');
      return c.text('ok');
    });
    // @ts-expect-error a gate for an unknown flag
    honoRequireFlag(nope);
    // @ts-expect-error withFeature only takes manifest keys
    const unknown = () => honoRequireFlag(withFeature('nope'));
    expect(typeof unknown).toBe('function');
  });

  it("types a grant verifier's secrets function with the app's Context (secrets from c.env)", () => {
    type GrantEnv = { Bindings: { GRANT_SECRET: string }; Variables: FlagstageVariables };
    flagstage<GrantEnv>(flags, {
      identity: () => null,
      grants: {
        verify: grantVerifier({
          secrets: (c) => {
            expectTypeOf(c.env.GRANT_SECRET).toEqualTypeOf<string>();
            return { k1: c.env.GRANT_SECRET };
          },
        }),
      },
    });
    // @ts-expect-error grants take a verifier from flagstage/grants, no longer the secrets themselves
    expect(() => flagstage<GrantEnv>(flags, { identity: () => null, grants: { secrets: { k1: 'k'.repeat(32) } } })).toThrow(/grantVerifier/);
  });
});

describe('flagstage/trpc types', () => {
  it('adds a typed ctx.flagDecision and rejects unknown flags', () => {
    type Ctx = { identity: Identity | null; requestId: string };
    const t = initTRPC.context<Ctx>().meta<{ audit: boolean }>().create({ isDev: false });
    const requireFlag = createRequireFlag(flags, { identity: (ctx: Ctx) => ctx.identity });
    const gastown = t.procedure.use(requireFlag(requireGastown));
    const router = t.router({
      towns: gastown.query(({ ctx }) => {
        expectTypeOf(ctx.flagDecision).toEqualTypeOf<Decision<'gastown'>>();
        expectTypeOf(ctx.requestId).toEqualTypeOf<string>();
        return ctx.flagDecision.allowed;
      }),
      sling: gastown.use(requireFlag(withFeature('convoys'))).mutation(({ ctx }) => {
        expectTypeOf(ctx.flagDecision).toEqualTypeOf<Decision<'convoys'>>();
        return ctx.flagDecision.flag;
      }),
    });
    const caller = t.createCallerFactory(router)({ identity: null, requestId: 'r' });
    expectTypeOf(caller.towns).returns.resolves.toEqualTypeOf<boolean>();
    // @ts-expect-error a gate for an unknown flag
    requireFlag(nope);
    // @ts-expect-error the identity function must take the app's context
    createRequireFlag(flags, { identity: (ctx: Ctx) => ctx.requestId });
  });
});

describe('flagstage/next types', () => {
  it('rejects unknown flags in routes and in requireFlag', () => {
    const server = flagstageServer(flags);
    const check = async (identity: Identity | null) => {
      expectTypeOf(await server.requireFlag(requireGastown, identity)).toEqualTypeOf<Decision<'gastown'>>();
      expectTypeOf(await server.getSnapshot(identity)).toEqualTypeOf<FlagSnapshot>();
      // @ts-expect-error a gate for an unknown flag
      await server.requireFlag(nope, identity);
    };
    flagGuard(flags, { routes: { '/gastown/*': requireGastown }, identity: () => null });
    // @ts-expect-error a route gated by an unknown flag
    flagGuard(flags, { routes: { '/x/*': nope }, identity: () => null });
    expect(typeof check).toBe('function');
  });
});

describe('flagstage/react types', () => {
  it('rejects unknown flags in useFlag and <Feature>', () => {
    function Nav() {
      expectTypeOf(useFlag('convoys')).toEqualTypeOf<boolean>();
      // @ts-expect-error 'nope' is not a flag of the manifest
      useFlag('nope');
      return (
        <>
          <Feature flag="gastown" fallback={<span />}>
            <a href="/gastown">Gastown</a>
          </Feature>
          {/* @ts-expect-error 'nope' is not a flag of the manifest */}
          <Feature flag="nope">x</Feature>
        </>
      );
    }
    const snapshot: FlagSnapshot = { revision: null, flags: { gastown: true, convoys: false, prMerge: false, multiRig: false, molecules: false } };
    const element = (
      <FlagstageProvider snapshot={snapshot}>
        <Nav />
      </FlagstageProvider>
    );
    // @ts-expect-error a snapshot must carry every flag of the manifest
    const partial: FlagSnapshot = { revision: null, flags: { gastown: true } };
    expect(element.props.snapshot).toBe(snapshot);
    expect(partial.revision).toBeNull();
  });
});
