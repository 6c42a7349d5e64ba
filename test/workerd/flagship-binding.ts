// Used by test/openfeature/flagship.test.ts (here for the workerd types of its tsconfig).
// A stand-in for Cloudflare's flag binding (`env.FLAGS`, the `Flagship` interface of
// @cloudflare/workers-types): the real binding only exists on Cloudflare, so this Worker implements
// that interface over RPC from its declaration (values, details with reason/variant, the default on
// an error), with targeting rules the test writes through PUT /config. Not a copy of Flagship's
// service: only what the interface promises.
import { WorkerEntrypoint } from 'cloudflare:workers';
import type { FakeFlag } from '../openfeature/fake-flag';

type Context = Record<string, string | number | boolean>;

let flags: Record<string, FakeFlag> = {};
let delayMs = 0;

interface Details<T> {
  flagKey: string;
  value: T;
  variant?: string;
  reason?: string;
  errorCode?: string;
  errorMessage?: string;
}

function bucket(value: string): number {
  let hash = 2166136261;
  for (let i = 0; i < value.length; i++) hash = Math.imul(hash ^ value.charCodeAt(i), 16777619) >>> 0;
  return hash % 100;
}

function evaluate(flagKey: string, defaultValue: unknown, context: Context = {}): Details<unknown> {
  const flag = flags[flagKey];
  if (flag === undefined) return { flagKey, value: defaultValue, reason: 'ERROR', errorCode: 'FLAG_NOT_FOUND', errorMessage: `flag "${flagKey}" not found` };
  if (!flag.enabled) return { flagKey, value: defaultValue, reason: 'DISABLED' };
  for (const rule of flag.rules ?? []) {
    if (rule.in.includes(context[rule.attribute] as string | boolean)) return { flagKey, value: rule.value, variant: rule.value ? 'on' : 'off', reason: 'TARGETING_MATCH' };
  }
  if (flag.split && context[flag.split.attribute] !== undefined && bucket(String(context[flag.split.attribute])) < flag.split.percent) {
    return { flagKey, value: true, variant: 'on', reason: 'SPLIT' };
  }
  return { flagKey, value: flag.default, variant: flag.default ? 'on' : 'off', reason: 'DEFAULT' };
}

async function details<T>(flagKey: string, defaultValue: T, context: Context | undefined, type: string): Promise<Details<T>> {
  if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
  const result = evaluate(flagKey, defaultValue, context);
  if (result.errorCode === undefined && typeof result.value !== type) return { flagKey, value: defaultValue, reason: 'ERROR', errorCode: 'TYPE_MISMATCH' };
  return result as Details<T>;
}

export class FakeFlagship extends WorkerEntrypoint {
  async get(flagKey: string, defaultValue?: unknown, context?: Context): Promise<unknown> {
    return evaluate(flagKey, defaultValue, context).value;
  }
  async getBooleanValue(flagKey: string, defaultValue: boolean, context?: Context) {
    return (await details(flagKey, defaultValue, context, 'boolean')).value;
  }
  async getStringValue(flagKey: string, defaultValue: string, context?: Context) {
    return (await details(flagKey, defaultValue, context, 'string')).value;
  }
  async getNumberValue(flagKey: string, defaultValue: number, context?: Context) {
    return (await details(flagKey, defaultValue, context, 'number')).value;
  }
  async getObjectValue<T extends object>(flagKey: string, defaultValue: T, context?: Context) {
    return (await details(flagKey, defaultValue, context, 'object')).value;
  }
  getBooleanDetails(flagKey: string, defaultValue: boolean, context?: Context) {
    return details(flagKey, defaultValue, context, 'boolean');
  }
  getStringDetails(flagKey: string, defaultValue: string, context?: Context) {
    return details(flagKey, defaultValue, context, 'string');
  }
  getNumberDetails(flagKey: string, defaultValue: number, context?: Context) {
    return details(flagKey, defaultValue, context, 'number');
  }
  getObjectDetails<T extends object>(flagKey: string, defaultValue: T, context?: Context) {
    return details(flagKey, defaultValue, context, 'object');
  }
}

export default {
  async fetch(request: Request): Promise<Response> {
    const body = (await request.json()) as { flags: Record<string, FakeFlag>; delayMs?: number };
    flags = body.flags;
    delayMs = body.delayMs ?? 0;
    return new Response('ok');
  },
};
