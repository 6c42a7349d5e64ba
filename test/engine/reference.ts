/**
 * flagsmith-nodejs 8.1.2, the reference flagstage's engine is compared with (Node-only tests).
 * Its engine internals are not in the package's exports map, so they are imported by file path.
 */
import { Flagsmith, BaseOfflineHandler } from 'flagsmith-nodejs';
import type { EnvironmentModel } from '../../node_modules/flagsmith-nodejs/build/esm/flagsmith-engine/environments/models.js';
import { buildEnvironmentModel } from '../../node_modules/flagsmith-nodejs/build/esm/flagsmith-engine/environments/util.js';
import { getEvaluationContext } from '../../node_modules/flagsmith-nodejs/build/esm/flagsmith-engine/evaluation/evaluationContext/mappers.js';
import { IdentityModel, TraitModel } from '../../node_modules/flagsmith-nodejs/build/esm/flagsmith-engine/index.js';
import { getEvaluationResult as referenceEvaluationResult } from '../../node_modules/flagsmith-nodejs/build/esm/flagsmith-engine/index.js';
import type { EnvironmentDocument, EvaluationResult, FlagResult, TraitValue } from 'flagstage/engine';

export type Traits = Record<string, TraitValue>;

/** What the reference returns: the evaluation result without the `variant` field it predates. */
export type ReferenceResult = { flags: Record<string, Omit<FlagResult, 'variant'>>; segments: EvaluationResult['segments'] };

/** flagsmith-nodejs's engine on its own context for the document and identity. */
export function referenceEngine(doc: EnvironmentDocument, identifier: string, traits: Traits): ReferenceResult {
  const environment = buildEnvironmentModel(structuredClone(doc));
  const identity = new IdentityModel(
    '0',
    Object.entries(traits).map(([key, value]) => new TraitModel(key, value)),
    [],
    environment.apiKey,
    identifier,
  );
  const context = getEvaluationContext(environment, identity);
  return referenceEvaluationResult(context as Parameters<typeof referenceEvaluationResult>[0]) as unknown as ReferenceResult;
}

/** Drops `variant`, which flagsmith-nodejs 8.1.2 does not return. */
export function withoutVariants(result: EvaluationResult): ReferenceResult {
  const flags: ReferenceResult['flags'] = {};
  for (const [name, { variant: _variant, ...flag }] of Object.entries(result.flags)) flags[name] = flag;
  return { flags, segments: result.segments };
}

/** The per-flag view the SDK's `Flags` gives (enabled, value, reason). */
export type SdkFlags = Record<string, { enabled: boolean; value: unknown; reason: string | undefined }>;

const silentLogger = { error() {}, warn() {}, info() {}, debug() {}, trace() {}, fatal() {}, child: () => silentLogger };
type FlagsmithConfig = ConstructorParameters<typeof Flagsmith>[0];

class DocumentHandler extends BaseOfflineHandler {
  constructor(private readonly environment: EnvironmentModel) {
    super();
  }
  override getEnvironment(): EnvironmentModel {
    return this.environment;
  }
}

/** `Flagsmith.getIdentityFlags` in offline mode on the document. */
export async function referenceOfflineFlags(doc: EnvironmentDocument, identifier: string, traits: Traits): Promise<SdkFlags> {
  const client = new Flagsmith({
    offlineMode: true,
    offlineHandler: new DocumentHandler(buildEnvironmentModel(structuredClone(doc))),
    logger: silentLogger as unknown as FlagsmithConfig['logger'],
  });
  return sdkFlags(await client.getIdentityFlags(identifier, traits));
}

/**
 * A Flagsmith client in local-evaluation mode serving one document, as a server would run it: the
 * client keeps state between calls (identities with overrides and their traits).
 */
export async function localEvaluationClient(doc: EnvironmentDocument): Promise<{
  flags(identifier: string, traits: Traits): Promise<SdkFlags>;
  close(): Promise<void>;
}> {
  const body = JSON.stringify(doc);
  const client = new Flagsmith({
    environmentKey: 'ser.reference',
    enableLocalEvaluation: true,
    fetch: (async () => new Response(body, { status: 200, headers: { 'content-type': 'application/json' } })) as FlagsmithConfig['fetch'],
    logger: silentLogger as unknown as FlagsmithConfig['logger'],
  });
  await client.updateEnvironment();
  return {
    flags: async (identifier, traits) => sdkFlags(await client.getIdentityFlags(identifier, traits)),
    close: () => client.close(),
  };
}

function sdkFlags(flags: Awaited<ReturnType<Flagsmith['getIdentityFlags']>>): SdkFlags {
  const out: SdkFlags = {};
  for (const flag of flags.allFlags()) out[flag.featureName] = { enabled: flag.enabled, value: flag.value, reason: flag.reason };
  return out;
}

/** Our result in the SDK's per-flag view. */
export function asSdkFlags(result: EvaluationResult): SdkFlags {
  const out: SdkFlags = {};
  for (const flag of Object.values(result.flags)) out[flag.name] = { enabled: flag.enabled, value: flag.value, reason: flag.reason };
  return out;
}
