import type { Client, EvaluationContext, EvaluationDetails, FlagEvaluationOptions } from '@openfeature/server-sdk';
import type { RegisteredManifest } from '../../runtime/manifest/register';
import type { Manifest } from '../../runtime/manifest/types';

/** The manifest's flags only exist as booleans: the other typed getters are left out. */
type NonBoolean = 'getStringValue' | 'getStringDetails' | 'getNumberValue' | 'getNumberDetails' | 'getObjectValue' | 'getObjectDetails';

/** An OpenFeature client whose boolean getters accept exactly the manifest's flag keys. */
export interface FlagstageClient<K extends string> extends Omit<Client, NonBoolean | 'getBooleanValue' | 'getBooleanDetails'> {
  getBooleanValue(flagKey: K, defaultValue: boolean, context?: EvaluationContext, options?: FlagEvaluationOptions): Promise<boolean>;
  getBooleanDetails(flagKey: K, defaultValue: boolean, context?: EvaluationContext, options?: FlagEvaluationOptions): Promise<EvaluationDetails<boolean>>;
}

/**
 * The same OpenFeature client, typed by the manifest: an unknown flag key, or asking a flag for a
 * string, number or object, is a compile error. No runtime cost: it returns the client itself.
 *
 * @example
 * ```ts
 * import { manifest } from './flags.gen';
 * const client = typedClient<typeof manifest>(OpenFeature.getClient());
 * await client.getBooleanValue('gastown', false, context); // ok
 * await client.getBooleanValue('gastwon', false, context); // compile error
 * ```
 */
export function typedClient<M extends Manifest = RegisteredManifest>(client: Client): FlagstageClient<keyof M['flags'] & string> {
  return client as unknown as FlagstageClient<keyof M['flags'] & string>;
}
