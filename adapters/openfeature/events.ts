import type { AnyProviderEvent, EventContext, EventHandler, Logger, ProviderEventEmitter } from '@openfeature/server-sdk';

/**
 * The provider's event emitter, written against OpenFeature's `ProviderEventEmitter` interface
 * instead of taking the SDK's `OpenFeatureEventEmitter` (which imports `node:events`): so
 * `flagstage/openfeature` bundles for workerd without `nodejs_compat`. Handlers run asynchronously
 * and a throwing one is logged, as the SDK's emitter does.
 */
export class ProviderEvents implements ProviderEventEmitter<AnyProviderEvent> {
  readonly #handlers = new Map<AnyProviderEvent, EventHandler[]>();
  #logger: Logger | undefined;

  emit(eventType: AnyProviderEvent, context?: EventContext): void {
    for (const handler of [...(this.#handlers.get(eventType) ?? [])]) {
      void Promise.resolve()
        .then(() => handler(context as never))
        .catch((error: unknown) => this.#logger?.error('flagstage: an OpenFeature event handler threw', error));
    }
  }

  addHandler(eventType: AnyProviderEvent, handler: EventHandler): void {
    this.#handlers.set(eventType, [...(this.#handlers.get(eventType) ?? []), handler]);
  }

  removeHandler(eventType: AnyProviderEvent, handler: EventHandler): void {
    const handlers = this.#handlers.get(eventType) ?? [];
    const at = handlers.lastIndexOf(handler);
    if (at >= 0) this.#handlers.set(eventType, handlers.filter((_, index) => index !== at));
  }

  removeAllHandlers(eventType?: AnyProviderEvent): void {
    if (eventType === undefined) this.#handlers.clear();
    else this.#handlers.delete(eventType);
  }

  getHandlers(eventType: AnyProviderEvent): EventHandler[] {
    return [...(this.#handlers.get(eventType) ?? [])];
  }

  setLogger(logger: Logger): this {
    this.#logger = logger;
    return this;
  }
}
