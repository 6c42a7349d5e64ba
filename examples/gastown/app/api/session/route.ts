import { SESSION_COOKIE, signSession } from '../../../shared/session';
import { findUser } from '../../../shared/users';
import { appConfig } from '../../../lib/config';
import { seeOther } from '../../../lib/see-other';

/**
 * Demo sign-in: the login form posts a user id and gets a signed session cookie. There is no
 * password because every user is a seeded demo account; what matters is that from here on the
 * identity comes only from this server-signed cookie.
 */
export async function POST(request: Request): Promise<Response> {
  const form = await request.formData();
  const user = findUser(String(form.get('userId') ?? ''));
  if (user === null) return seeOther('/login?error=unknown-user');
  const response = seeOther('/');
  response.cookies.set(SESSION_COOKIE, await signSession(user.id, appConfig().sessionSecret), {
    httpOnly: true,
    sameSite: 'lax',
    path: '/',
    // Over https (directly or behind a TLS-terminating proxy) the session never travels in clear
    // text; the demo on http://127.0.0.1 would never get a Secure cookie back, so it is not marked.
    secure: overHttps(request),
  });
  return response;
}

function overHttps(request: Request): boolean {
  const forwarded = request.headers.get('x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase();
  return new URL(request.url).protocol === 'https:' || forwarded === 'https';
}
