/**
 * Headers between the control plane's Worker and its Durable Objects. A Durable Object is reachable
 * only through the Worker, which sets them (and overwrites whatever a client sent).
 */

/** The environment a forwarded request is for: the Durable Object keeps its name from the first one. */
export const INTERNAL_HEADER = 'x-flagstage-environment';

/** Set on a forwarded request whose body was over the limit (the body is dropped). */
export const OVERSIZED_HEADER = 'x-flagstage-oversized-body';
