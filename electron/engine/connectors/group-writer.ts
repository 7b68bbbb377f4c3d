// The port an IdP connector implements for the provisioning and revocation
// jobs: add or remove one user in one group, and suspend a leaver's account
// (where the connection is set to). The jobs area drives it; the
// connectors know nothing of jobs, grants or requests.
/**
 * What an IdP group writer reports for one membership change. `done` covers
 * "already a member" / "already removed" (`changed: false`): idempotent by
 * design, so a job resumed after a crash can simply run again.
 */
export type GroupWriteResult =
  | { kind: 'done'; changed: boolean; note?: string; httpStatus?: number }
  | { kind: 'retry'; error: string; retryAfterMs?: number; httpStatus?: number }
  | { kind: 'failed'; error: string; httpStatus?: number }
  | { kind: 'manual'; reason: string; httpStatus?: number };

/** Adds and removes one user in one group of one IdP connection. */
export type GroupWriter = {
  addMember: (groupId: string, userId: string) => Promise<GroupWriteResult>;
  removeMember: (groupId: string, userId: string) => Promise<GroupWriteResult>;
  /** Stops the account signing in (Okta: lifecycle suspend; Entra: accountEnabled false); already suspended or gone is `done`, unchanged. */
  suspendAccount: (userId: string) => Promise<GroupWriteResult>;
  close: () => void;
};
