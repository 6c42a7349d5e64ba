/** Change events: what the runtime reports when a new document revision changes a flag's rollout. */
export type { ChangeEvent, ChangeSink } from './change-event';
export { consoleJsonSink } from './sinks';
export { changeListener, watchChanges, type ChangeEventOptions } from './emitter';
