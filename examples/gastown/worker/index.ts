import { createApp } from './app';
import type { Env } from './env';

// Built on the first request: bindings are only available from there on (no I/O at global scope).
let app: ReturnType<typeof createApp> | null = null;

export default {
  fetch(request: Request, env: Env, ctx: ExecutionContext): Response | Promise<Response> {
    app ??= createApp(env);
    return app.fetch(request, env, ctx);
  },
} satisfies ExportedHandler<Env>;
