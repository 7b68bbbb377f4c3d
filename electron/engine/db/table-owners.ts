// Who owns each table: the one module (for the snapshot, the one area) that
// holds the SQL writing it and that every other area reads it through. A
// read elsewhere is allowed only where it is listed here with why — a read
// model that must join it to stay one query at 100,000 rows. Paths are
// relative to electron/ ('engine/jobs/grant-store.ts'; a folder ends in '/').
// test/unit/table-owners.test.ts holds this against the schema (every table
// and view declared) and against the SQL in the code (no statement on a
// table outside its owner and its listed readers); ARCHITECTURE.md sums it up.

export type TableOwnership = {
  /** The module (or, for the snapshot, the area) holding every statement that writes the table. */
  owner: string;
  /** Other modules that read it in their own SQL, and why that read cannot go through the owner. */
  readers?: Readonly<Record<string, string>>;
};

/** Read models of the snapshot: the Directory's pages and lookups. */
const DIRECTORY_READS = { 'engine/directory/': 'the Directory read models: people, users, groups, apps, the dashboard, single-object lookups' } as const;

const MAPPING_HEALTH = {
  'engine/catalog/catalog-store.ts': "a role's mappings show their group's live name, management and member count in the catalog list (one query for every mapping)",
} as const;
const SUGGESTIONS = {
  'engine/catalog/suggestions.ts': 'suggestions, coverage and the mapper read app-assigned groups and their members across the snapshot in one pass',
} as const;
/** Launch freezes up to 1M (account, membership) items with their grant, request, approvers and catalog role in one INSERT … SELECT; preview counts the same rows. */
const REVIEW_POPULATION = {
  'engine/reviews/population.ts':
    'launch freezes every membership in scope (up to 1M items) with its grant, request, approvers and catalog role in one INSERT … SELECT, counts the snapshot independently to reconcile, and recomputes open campaigns\' recommendations from the live snapshot after each sync in one statement',
} as const;
/** The same launch's recommendation inputs, computed once per account and per granted membership into TEMP tables its INSERT … SELECT joins. */
const LAUNCH_INPUTS = {
  'engine/reviews/launch-inputs.ts': "the launch's recommendation inputs computed once per account and per granted membership (TEMP tables the INSERT … SELECT joins), instead of once per item",
} as const;
const DRIFT = { 'engine/jobs/grant-store.ts': 'drift compares the ledger with the live memberships, one query per finding kind after a sync' } as const;

const REVIEW_GRID = {
  'engine/reviews/grid-view.ts': "the console's review grid reads a reviewer's whole queue (up to 100,000 items) with each item's current decision and remediation in one query",
} as const;
/** One reviewer's share of a campaign (workbook, Jira issue, reminders): items with their current decision, one streamed query at 50,000 items. */
/** audit verify recomputes each bulk review submission's digest from the decision log (the audit area sits below reviews: it cannot call the store). */
const SUBMISSION_DIGEST = {
  'engine/audit/submission-digest.ts': "a bulk review submission's audit event carries a digest of its decisions, which the submission writes and audit verify recomputes from the decision log and the items' row hashes with one function",
} as const;
const REVIEWER_SHARE = { 'engine/reviews/reviewer-items.ts': "one reviewer's items with their current decision, and undecided counts per reviewer, in one streamed query (the workbook, the Jira issue, reminders)" } as const;

/**
 * The evidence workbook's snapshot sheets (People, Access, Privileged, Drift, Changes) read up to 1M memberships
 * at the period's end in one streamed statement per sheet and connection: the live snapshot joined with the
 * changes recorded after the period's end, the ledger, the catalog and the last review decision, in a fixed order.
 */
const evidenceSnapshot = (...files: string[]): Record<string, string> =>
  Object.fromEntries(
    files.map((f) => [
      `engine/evidence/${f}`,
      "the evidence workbook's snapshot sheets: one streamed query per sheet (and connection) over the population at the period's end, rebuilt from the live snapshot, the changes recorded after it and the grant ledger",
    ]),
  );
/** The evidence workbook's ledger sheets (evidence/sheets-*.ts): each population one streamed SELECT of up to 1M rows, joined with what explains each row, plus an independent count to reconcile it. */
const EVIDENCE_LEDGER = (why: string): Readonly<Record<string, string>> => ({ 'engine/evidence/': `the evidence workbook's ledger sheets stream up to 1M rows in one query: ${why}` });

export const TABLE_OWNERS: Readonly<Record<string, TableOwnership>> = {
  meta: { owner: 'engine/db/meta.ts' },
  audit_events: { owner: 'engine/audit/audit-log.ts', readers: evidenceSnapshot('drift-changes-sheets.ts') },
  // The chain's witnesses (migration 5): public keys, signed checkpoints, anchors written outside the file.
  audit_keys: { owner: 'engine/audit/checkpoint-store.ts' },
  audit_checkpoints: { owner: 'engine/audit/checkpoint-store.ts' },
  audit_anchors: { owner: 'engine/audit/checkpoint-store.ts' },
  settings: { owner: 'engine/settings/settings.ts' },
  connections: {
    owner: 'engine/connections/connections.ts',
    readers: {
      ...DIRECTORY_READS,
      'engine/sync/': "runs and changes are listed with their connection's name, and each run reads the live generation it builds on",
      'engine/catalog/catalog-store.ts': "a mapping's connection name and write permission, in the catalog list query",
      'engine/catalog/suggestions.ts': "suggestions and coverage read every synced IdP connection's live generation",
      ...evidenceSnapshot('period-end.ts', 'access-sheets.ts', 'drift-changes-sheets.ts'),
    },
  },
  // The snapshot: the full sync writes a new generation, the incremental sync patches the live one, a job's membership change is patched in (sync/live-snapshot.ts).
  identities: { owner: 'engine/sync/', readers: { ...REVIEW_POPULATION, 'engine/directory/correlation.ts': 'correlation reads every live account of every connection in one pass', ...evidenceSnapshot('access-sheets.ts', 'people-sheet.ts') } },
  groups: { owner: 'engine/sync/', readers: { ...REVIEW_POPULATION, ...MAPPING_HEALTH, ...SUGGESTIONS, ...evidenceSnapshot('period-end.ts') } },
  memberships: { owner: 'engine/sync/', readers: { ...REVIEW_POPULATION, ...MAPPING_HEALTH, ...SUGGESTIONS, ...evidenceSnapshot('period-end.ts') } },
  apps: { owner: 'engine/sync/', readers: { ...SUGGESTIONS, ...evidenceSnapshot('access-sheets.ts') } },
  app_assignments: { owner: 'engine/sync/', readers: { ...SUGGESTIONS, ...evidenceSnapshot('access-sheets.ts') } },
  cur_identities: { owner: 'engine/sync/', readers: { ...DIRECTORY_READS, ...REVIEW_POPULATION, ...LAUNCH_INPUTS, ...evidenceSnapshot('drift-changes-sheets.ts') } },
  cur_groups: { owner: 'engine/sync/', readers: { ...REVIEW_POPULATION, ...DIRECTORY_READS, ...DRIFT, ...evidenceSnapshot('drift-changes-sheets.ts') } },
  cur_memberships: {
    owner: 'engine/sync/',
    readers: {
      ...EVIDENCE_LEDGER("a leaver's mapped-group memberships still held"),
      ...REVIEW_POPULATION,
      ...DIRECTORY_READS,
      ...DRIFT,
      'engine/reviews/launch-inputs.ts': "the launch's peer-outlier holders counted once per (group in scope, peer group) into a keyed TEMP table its INSERT … SELECT joins",
    },
  },
  cur_apps: { owner: 'engine/sync/', readers: { ...REVIEW_POPULATION, ...DIRECTORY_READS, ...SUGGESTIONS } },
  cur_app_assignments: { owner: 'engine/sync/', readers: { ...DIRECTORY_READS, ...REVIEW_POPULATION } },
  sync_runs: { owner: 'engine/sync/', readers: { ...EVIDENCE_LEDGER('the run that detected a leaver and the sync runs that verify a removal'), ...REVIEW_POPULATION, ...evidenceSnapshot('period-end.ts', 'drift-changes-sheets.ts') } },
  sync_changes: { owner: 'engine/sync/', readers: { ...EVIDENCE_LEDGER('leavers and mapped-group memberships removed after them, memberships seen again after a removal'), ...REVIEW_POPULATION, 'engine/directory/correlation.ts': "correlation is redone only when the snapshot changed: it reads the newest change's sequence", ...evidenceSnapshot('period-end.ts', 'access-sheets.ts', 'drift-changes-sheets.ts') } },
  // Group owners as the IdPs report them (migration 9): written by the full sync with the rest of the snapshot.
  group_owners: { owner: 'engine/sync/' },
  cur_group_owners: { owner: 'engine/sync/', readers: DIRECTORY_READS },
  // The Directory's read model (migration 4): kept by triggers in the same transaction as every snapshot write; model.ts owns its bulk upkeep and search.
  directory_accounts: { owner: 'engine/directory/model.ts', readers: DIRECTORY_READS },
  directory_groups: { owner: 'engine/directory/model.ts', readers: { ...DIRECTORY_READS, ...evidenceSnapshot('access-sheets.ts') } },
  directory_search: { owner: 'engine/directory/model.ts' },
  directory_bulk: { owner: 'engine/directory/model.ts' },
  person_links: { owner: 'engine/directory/correlation.ts', readers: { ...DIRECTORY_READS, ...evidenceSnapshot('people-sheet.ts') } },
  correlation_issues: { owner: 'engine/directory/correlation.ts', readers: { 'engine/directory/people.ts': 'the list of refused matches, with each account as it is now' } },
  catalog_apps: { owner: 'engine/catalog/catalog-store.ts', readers: { ...REVIEW_POPULATION, ...evidenceSnapshot('access-sheets.ts') } },
  catalog_roles: { owner: 'engine/catalog/catalog-store.ts', readers: { ...REVIEW_POPULATION, ...evidenceSnapshot('access-sheets.ts') } },
  catalog_mappings: { owner: 'engine/catalog/catalog-store.ts', readers: { ...EVIDENCE_LEDGER("a request's groups and which memberships of a leaver were mapped"), ...REVIEW_POPULATION, 'engine/catalog/suggestions.ts': 'a suggested or listed group is marked mapped in the same pass over the snapshot', ...evidenceSnapshot('access-sheets.ts') } },
  catalog_dismissed: { owner: 'engine/catalog/suggestions.ts' },
  requests: { owner: 'engine/requests/request-store.ts', readers: { ...EVIDENCE_LEDGER('Requests, and the requester of each approval step'), ...REVIEW_POPULATION, ...LAUNCH_INPUTS, ...evidenceSnapshot('access-sheets.ts', 'drift-changes-sheets.ts') } },
  approvals: { owner: 'engine/requests/request-store.ts', readers: { ...EVIDENCE_LEDGER('Approvals, every step of the requests in the period'), ...REVIEW_POPULATION } },
  grants: { owner: 'engine/jobs/grant-store.ts', readers: { ...EVIDENCE_LEDGER('Grants in the period, the first access given per request (Approvals), live grants of each leaver'), ...REVIEW_POPULATION, ...LAUNCH_INPUTS, ...evidenceSnapshot('period-end.ts', 'access-sheets.ts', 'drift-changes-sheets.ts') } },
  jobs: { owner: 'engine/jobs/job-store.ts', readers: { ...EVIDENCE_LEDGER("each grant's provisioning job and when its revocation was asked for"), ...evidenceSnapshot('period-end.ts') } },
  job_attempts: { owner: 'engine/jobs/job-store.ts', readers: EVIDENCE_LEDGER("each grant's provisioning attempts against the IdP") },
  manual_tasks: { owner: 'engine/jobs/manual-tasks.ts' },
  drift: { owner: 'engine/jobs/drift.ts', readers: evidenceSnapshot('access-sheets.ts', 'drift-changes-sheets.ts') },
  // Access reviews (migration 7): campaigns and their frozen items; the decisions on them; what each revoke became; each reviewer's Jira issue.
  review_campaigns: { owner: 'engine/reviews/campaign-store.ts', readers: { ...EVIDENCE_LEDGER('campaigns open in the period with their population proof'), ...REVIEWER_SHARE, ...evidenceSnapshot('access-sheets.ts') } },
  review_items: {
    owner: 'engine/reviews/item-store.ts',
    readers: {
      ...EVIDENCE_LEDGER('every item of a review (up to 1M) with its decisions'),
      'engine/reviews/items.ts': 'a reviewer grid of up to 100,000 items is one query joining each item with its decision and remediation',
      ...REVIEW_GRID,
      ...REVIEW_POPULATION,
      ...REVIEWER_SHARE,
      'engine/reviews/decision-store.ts': "progress counts decisions per reviewer and app with each item's reviewer and app in one grouped query",
      'engine/reviews/remediation-store.ts': "verification after a sync reads each remediation's membership (connection, group, account) from its item in one query",
      ...evidenceSnapshot('access-sheets.ts'),
      ...SUBMISSION_DIGEST,
    },
  },
  review_decisions: {
    owner: 'engine/reviews/decision-store.ts',
    readers: {
      ...EVIDENCE_LEDGER('every decision with its item'),
      'engine/reviews/items.ts': 'a reviewer grid of up to 100,000 items is one query joining each item with its decision and remediation',
      'engine/reviews/item-store.ts': "campaign counts and a leaver's undecided items are one statement over the items and their decisions",
      ...REVIEW_GRID,
      ...REVIEWER_SHARE,
    },
  },
  review_decision_log: { owner: 'engine/reviews/decision-store.ts', readers: { ...EVIDENCE_LEDGER('whether a decision was given in bulk'), ...evidenceSnapshot('access-sheets.ts'), ...SUBMISSION_DIGEST } },
  review_submissions: { owner: 'engine/reviews/decision-store.ts' },
  review_remediations: { owner: 'engine/reviews/remediation-store.ts', readers: { ...EVIDENCE_LEDGER("each item's remediation and verification"), 'engine/reviews/items.ts': 'a reviewer grid of up to 100,000 items is one query joining each item with its decision and remediation', ...REVIEW_GRID } },
  review_reviewers: { owner: 'engine/reviews/reviewer-store.ts' },
  // The notification outbox (migration 8).
  notices: { owner: 'engine/notices/notice-store.ts' },
  // The HR source (migration 11): HR records, dated HR events, each import.
  hr_records: { owner: 'engine/hr/hr-store.ts' },
  hr_events: { owner: 'engine/hr/hr-store.ts' },
  hr_imports: { owner: 'engine/hr/hr-store.ts' },
  // Birthright policies (migration 12): policies, every version, approvals by a second operator, per-person exceptions.
  policies: { owner: 'engine/policies/policy-store.ts' },
  policy_versions: { owner: 'engine/policies/policy-store.ts' },
  policy_approvals: { owner: 'engine/policies/policy-store.ts' },
  policy_exceptions: { owner: 'engine/policies/policy-store.ts' },
  // Joiner / mover / leaver orchestration plans (migration 13): a plan per HR event, its steps by tier.
  plans: { owner: 'engine/plans/plan-store.ts' },
  plan_steps: { owner: 'engine/plans/plan-store.ts' },
};
