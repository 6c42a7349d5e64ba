import { SESSION_COOKIE } from '../../../shared/session';
import { seeOther } from '../../../lib/see-other';

export function POST(): Response {
  const response = seeOther('/login');
  response.cookies.delete(SESSION_COOKIE);
  return response;
}
