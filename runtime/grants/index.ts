export { issueGrant } from './issue';
export { verifyGrant, grantAllows } from './verify';
export { MIN_SECRET_BYTES } from './secret';
export { GRANT_PURPOSE, GRANT_TYP } from './types';
export type { Grant, GrantError, GrantSecret, GrantVerification, IssueGrantOptions, VerifyGrantOptions } from './types';
