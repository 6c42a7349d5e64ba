import { FlagstageError, problemOf } from '../errors/flagstage-error';
import { report, warnError, type ErrorHandler } from '../errors/report';
import type { Manifest } from '../manifest/types';
import { diffRollouts } from '../policy/changes';
import type { DocumentListener, DocumentSource } from '../sources/source';
import type { ChangeEvent, ChangeSink } from './change-event';
import { consoleJsonSink } from './sinks';

export interface ChangeEventOptions {
  /** The flags whose rollouts are compared. */
  readonly manifest: Manifest;
  /** Where change events go, besides the console JSON sink. */
  readonly onChange?: ChangeSink | readonly ChangeSink[];
  /** Also log each event as a JSON line. Default: true. */
  readonly console?: boolean;
  /** Receives a sink's failure (code `listener`); default: one JSON line on `console.warn`. */
  readonly onError?: ErrorHandler;
  /** The clock; injectable for tests. */
  readonly now?: () => number;
}

/**
 * A document listener that turns each new revision into change events: it diffs `readRollout` of
 * the previous and the next document (the policy's `diffRollouts`) and hands every changed flag to
 * the sinks, one event per flag. The first document
 * an isolate loads is not a change (every cold isolate would report it), and a refetch of the same
 * revision never reaches a listener. A failing sink is reported, never thrown into a request.
 *
 * @example
 * source.subscribe(changeListener({ manifest, onChange: (event) => audit.write(event) }));
 */
export function changeListener(options: ChangeEventOptions): DocumentListener {
  const sinks: ChangeSink[] = [options.console === false ? [] : consoleJsonSink(), options.onChange ?? []].flat();
  const now = options.now ?? Date.now;
  const handler = options.onError ?? warnError;
  const onError = (error: FlagstageError): void => report(handler, error);

  return (next, previous) => {
    if (!previous || previous.revision === next.revision) return;
    let events: ChangeEvent[];
    try {
      const at = new Date(now()).toISOString();
      events = diffRollouts(options.manifest, previous.document, next.document).map(({ flag, before, after }) => ({
        at,
        flag,
        before,
        after,
        revision: next.revision,
      }));
    } catch (error) {
      onError(sinkError(error));
      return;
    }
    for (const event of events) {
      for (const sink of sinks) {
        try {
          const result = sink(event);
          if (result) result.catch((error: unknown) => onError(sinkError(error)));
        } catch (error) {
          onError(sinkError(error));
        }
      }
    }
  };
}

/**
 * Subscribes change events to a source; returns the unsubscribe. A source without `subscribe`
 * (a static document never changes) yields no events.
 *
 * @example
 * const stop = watchChanges(source, { manifest, onChange: sendToSlack });
 */
export function watchChanges(source: DocumentSource, options: ChangeEventOptions): () => void {
  return source.subscribe?.(changeListener(options)) ?? (() => undefined);
}

function sinkError(cause: unknown): FlagstageError {
  return new FlagstageError('listener', `a change event sink failed (${problemOf(cause)}).`, { cause });
}
