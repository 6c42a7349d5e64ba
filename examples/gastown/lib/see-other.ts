import { NextResponse } from 'next/server';

/**
 * A 303 to a path on this site. Relative on purpose: `request.url` in a route handler names the
 * host Next was configured with (`localhost`), not the one the browser used (127.0.0.1), and the
 * session cookie belongs to the latter.
 */
export function seeOther(path: string): NextResponse {
  return new NextResponse(null, { status: 303, headers: { location: path } });
}
