import type { ChangeEvent, ChangeSink } from './change-event';

/**
 * A sink writing each change event as one JSON line (`{"type":"flagstage.change",…}`), which
 * Workers Logs, Logpush and any log pipeline can index and alert on.
 *
 * @example
 * const sink = consoleJsonSink();
 * sink(event); // {"type":"flagstage.change","at":"…","flag":"gastown","before":{…},"after":{…},"revision":"…"}
 */
export function consoleJsonSink(write: (line: string) => void = (line) => console.log(line)): ChangeSink {
  return (event: ChangeEvent) => {
    write(JSON.stringify({ type: 'flagstage.change', ...event }));
  };
}
