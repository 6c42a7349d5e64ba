// Runs in Chromium: the OpenFeature web SDK with the OFREP web provider against the app's
// session-mode endpoint. The context it sends claims to be an admin and someone else: the server
// must ignore it. Results land on window.__ofrep for the test to read.
import { OpenFeature, ProviderEvents } from '@openfeature/web-sdk';
import { OFREPWebProvider } from '@openfeature/ofrep-web-provider';

const KEYS = ['gastown', 'convoys', 'prMerge', 'multiRig', 'molecules'] as const;
const results: { round: number; flags: Record<string, { value: boolean; reason?: string; flagstageReason?: unknown }> }[] = [];
(window as unknown as { __ofrep: typeof results }).__ofrep = results;

const read = (round: number) => {
  const client = OpenFeature.getClient();
  const flags: (typeof results)[number]['flags'] = {};
  for (const key of KEYS) {
    const details = client.getBooleanDetails(key, false);
    flags[key] = { value: details.value, reason: details.reason, flagstageReason: details.flagMetadata.reason };
  }
  results.push({ round, flags });
};

await OpenFeature.setContext({ targetingKey: 'u1', isAdmin: true, orgId: 'acme' });
await OpenFeature.setProviderAndWait(new OFREPWebProvider({ baseUrl: `${location.origin}/app`, pollInterval: 250 }));
read(1);
// A new context makes the provider fetch again (unconditionally); its polls then send the ETag
// (If-None-Match): the session's answers have not changed, so the server answers 304.
OpenFeature.getClient().addHandler(ProviderEvents.ContextChanged, () => read(2));
await OpenFeature.setContext({ targetingKey: 'someone-else', isAdmin: true });
if (results.length < 2) read(2);
