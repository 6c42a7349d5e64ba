export { issueGrant } from './issue';
export { verifyGrant, grantAllows } from './verify';
export { MIN_SECRET_BYTES } from './secret';
export { GRANT_PURPOSE, GRANT_TYP } from './types';
export { GrantError } from './errors';
export type { Grant, GrantRefusal, GrantSecret, GrantVerification, IssueGrantOptions, VerifyGrantOptions } from './types';
