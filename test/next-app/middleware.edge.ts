// Variant "middleware": the deprecated middleware convention, which runs on the edge runtime.
import { guard } from './lib/guard';

export const middleware = guard;
export const config = { matcher: ['/gastown/:path*'] };
