// `npm run bench -- <name> [options]`: runs one benchmark script in its own
// process (so its memory figures are its own). Results are printed; the
// recorded ones, with date and machine, live in bench/RESULTS.md.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const benches: Record<string, string> = {
  sync: 'full Okta sync: Latchkey vs the naive SDK dump (add --rate-limits okta for the budget run)',
  'snapshot-write': '1,000,000 memberships through the snapshot writer vs a bare prepared insert',
  'snapshot-diff': 'the full sync commit\'s change recording: 100k users / 1M memberships generations with ~1% differences',
  'directory-queries': 'directory page, search, sort and detail queries on 100k users',
  incremental: 'incremental vs full Okta sync after 1% of a 100k-user org changed (requests, wall time, equality)',
  expiry: '10,000 grants expiring in one minute, revoked through the sandbox Okta with its rate limits on: time vs the budget-share bound, 429s',
  'entra-sync': 'full Entra sync of 100k users / 5k groups / ~1M memberships with Graph throttling on: time vs the throttling bound, 429s',
  'workspace-open': 'opening a 100k-user workspace with the checks a file from elsewhere gets (schema compare, hardening, quick_check) vs a bare open',
  'audit-append': 'per-event cost of the audit chain: format 1 (before) vs format 2 vs format 2 with signed checkpoints every 100 events; audit verify',
  'review-close': 'an access review closed with 10,000 revocations through the rate-limited sandbox Okta: each revoked once, verified by the next sync, time vs the budget-share bound',
  'review-launch': 'launching an access review over every membership of a 100k-user org (~1M items) with recommendations vs a bare INSERT … SELECT of the same rows: time, peak RSS',
  'review-workbook': 'reviewer workbook of 50,000 rows: streaming export and import (row hashes checked) vs bare exceljs streaming write/read, peak RSS each',
  'review-grid': 'review grid with 100,000 items for one reviewer in Chromium: open, filter, sort, a decision key to the row, bulk-decide 10,000, frames while pressing j',
  'evidence-snapshot': "the evidence workbook's snapshot sheets (People, Access, Privileged, Drift, Changes) at a period end before the live sync, 100k users / ~1M memberships, vs a bare scan of the same memberships; and on a read-only copy",
  'evidence-export': 'the full evidence workbook of 100k users / ~1M memberships / ~1.25M ledger rows / a 1M-item review vs the same rows as plain CSV and as a bare exceljs streaming write, then on a read-only copy: time, peak RSS',
  'evidence-ledger': "the evidence workbook's ledger sheets (requests, approvals, grants, leavers, a review) over 1,000,000 rows each vs a bare SELECT of the same table: time, peak RSS",
  'notices-webhook': '10,000 notices through the sandbox Slack webhook limited to --rate per second with 429 + Retry-After: all delivered once, no early return, time vs a bare loop honouring Retry-After',
  'policy-whatif': 'birthright policies at 100k people / ~1M memberships: the what-if of an edit (≤ 1 s) and evaluating all policies (≤ 2 s) vs a bare SELECT of the same attribute columns',
  'plans-joiners': '1,000 joiners (~5 groups each) through orchestration plans against the rate-limited sandbox Okta: time vs the budget-share bound, 429s unhandled',
  'request-queue': 'request queue UI with 50,000 requests in Chromium: open, tabs, search, scroll (time to rows, long frames) and requests:list server time',
};

const [name, ...rest] = process.argv.slice(2);
if (!name || !(name in benches)) {
  console.error(`usage: npm run bench -- <name> [options]\n${Object.entries(benches).map(([n, d]) => `  ${n.padEnd(18)} ${d}`).join('\n')}`);
  process.exit(name ? 2 : 0);
}
const script = path.join(here, `${name}.ts`);
if (!fs.existsSync(script)) throw new Error(`missing ${script}`);
const r = spawnSync(process.execPath, ['--import', 'tsx', script, ...rest], { stdio: 'inherit' });
process.exit(r.status ?? 1);
