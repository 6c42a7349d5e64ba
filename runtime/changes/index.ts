/**
 * flagstage/changes: change events, what a source reports when a new document revision changes a
 * flag's stage, kill-switch, allowlist or percentage. Opt-in, on its own entry point, so that a gate's
 * edge bundle does not carry the rollout diffing:
 *
 * @example
 * ```ts
 * import { watchChanges } from 'flagstage/changes';
 * const stop = watchChanges(source, { manifest, onChange: (event) => audit.write(event) }); // and one JSON line per event on the console
 * ```
 */
export type { ChangeEvent, ChangeSink } from './change-event';
export { consoleJsonSink } from './sinks';
export { changeListener, watchChanges, type ChangeEventOptions } from './emitter';
