import { createFlagstage, flagsmithSource, type Flagstage, type FlagsmithSource } from 'flagstage';
import { manifest } from '@/flags.gen';
import { appConfig } from './config';

interface AppFlags {
  readonly flags: Flagstage;
  /** The webhook route refreshes it; a FlagsmithSource always has `refresh`. */
  readonly source: FlagsmithSource;
}

// One instance per server process, kept on globalThis: Next bundles proxy.ts, route handlers and
// pages separately, and they must share the document the webhook refreshes, or the proxy would
// keep deciding from a stale one until its TTL ran out.
const key = Symbol.for('gastown.flagstage');
type Holder = { [key]?: AppFlags };

function instance(): AppFlags {
  const holder = globalThis as Holder;
  if (holder[key] === undefined) {
    const config = appConfig();
    const source = flagsmithSource({
      apiUrl: config.flagsmithApiUrl,
      environmentKey: config.flagsmithEnvironmentKey,
      ttlMs: config.flagsTtlMs,
      maxStaleMs: 60 * 60_000,
      timeoutMs: 2_000,
    });
    holder[key] = { flags: createFlagstage({ manifest, source }), source };
  }
  return holder[key];
}

/** The app's flagstage: `getFlags().decide('gastown', identity)`. */
export function getFlags(): Flagstage {
  return instance().flags;
}

export function getFlagSource(): FlagsmithSource {
  return instance().source;
}
