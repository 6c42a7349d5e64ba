// Variant "proxy": Next 16's proxy (Node runtime).
import { guard } from './lib/guard';

export const proxy = guard;
export const config = { matcher: ['/gastown/:path*'] };
