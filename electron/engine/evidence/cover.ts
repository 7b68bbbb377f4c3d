// What the Cover sheet (and the manifest) say about where the data comes
// from: the organisation and connections, the period, when and by which
// Latchkey it was generated, the workspace (and, for a saved copy, the
// workspace it is a copy of), the sync runs the snapshot stands on (the last
// successful run of each connection at or before the period's end), and the
// audit chain's head and last checkpoint (with whether its signature holds
// under the key stored in the file).
import { auditHead } from '../audit/audit-log.js';
import { latestCheckpoint, listAuditKeys } from '../audit/checkpoint-store.js';
import { publicKeyFromText, signatureValid } from '../audit/checkpoints.js';
import { listConnectionRecords } from '../connections/connections.js';
import { workspaceId } from '../context.js';
import type { Db } from '../db/database.js';
import { getMeta } from '../db/meta.js';
import { lastSucceededRunBy } from '../sync/sync-runs.js';

export type CoverFacts = {
  organisation: string;
  connections: { id: number; name: string; kind: string; baseUrl: string; run: { id: number; mode: string; startedAt: string; finishedAt: string } | null }[];
  workspaceId: string;
  /** For a saved copy: the workspace it was saved from, and when. */
  copyOf: { workspaceId: string | null; savedAt: string | null } | null;
  chainHead: { seq: number; hash: string; count: number };
  checkpoint: { id: number; seq: number; count: number; headHash: string; at: string; keyId: string; signatureValid: boolean } | null;
};

export function coverFacts(db: Db, periodEnd: string): CoverFacts {
  const records = listConnectionRecords(db);
  const orgs = [...new Set(records.map((c) => c.orgName).filter((o): o is string => !!o))];
  const connections = records.map((c) => ({ id: c.id, name: c.name, kind: c.kind, baseUrl: c.baseUrl, run: c.kind === 'jira' ? null : lastSucceededRunBy(db, c.id, periodEnd) }));
  let copyOf: CoverFacts['copyOf'] = null;
  const snap = getMeta(db, 'snapshot_of');
  if (snap) {
    try {
      const s = JSON.parse(snap) as { workspaceId?: string; savedAt?: string };
      copyOf = { workspaceId: s.workspaceId ?? null, savedAt: s.savedAt ?? null };
    } catch {
      copyOf = { workspaceId: null, savedAt: null };
    }
  }
  const head = auditHead(db);
  const last = latestCheckpoint(db);
  let checkpoint: CoverFacts['checkpoint'] = null;
  if (last) {
    const key = listAuditKeys(db).find((k) => k.keyId === last.keyId);
    let valid = false;
    try {
      valid = key ? signatureValid(last, publicKeyFromText(key.publicKey)) : false;
    } catch {
      valid = false;
    }
    checkpoint = { id: last.id, seq: last.seq, count: last.count, headHash: last.headHash, at: last.at, keyId: last.keyId, signatureValid: valid };
  }
  return {
    organisation: orgs.length ? orgs.join(', ') : records.map((c) => new URL(c.baseUrl).hostname).join(', ') || '(no connections)',
    connections,
    workspaceId: workspaceId(db),
    copyOf,
    chainHead: head,
    checkpoint,
  };
}

export type SheetLine = { name: string; query: string; description: string; worksheets: readonly string[] };

/** The Cover's rows: Section, Item, Value. */
export function coverRows(
  f: CoverFacts,
  about: { from: string; to: string; generatedAt: string; version: string; sample: { seed: string; perPopulation: number; populations: { name: string; size: number }[] } | null },
  sheets: readonly SheetLine[],
): string[][] {
  const rows: string[][] = [
    ['Workbook', 'Title', 'Latchkey evidence workbook: user access'],
    ['Workbook', 'Organisation', f.organisation],
    ['Workbook', 'Period (UTC)', `${about.from} to ${about.to} (both ends included)`],
    ['Workbook', 'Generated at (UTC)', about.generatedAt],
    ['Workbook', 'Latchkey version', about.version],
    ['Workbook', 'Workspace id', f.workspaceId],
  ];
  if (f.copyOf) rows.push(['Workbook', 'Copy of workspace', `${f.copyOf.workspaceId ?? '?'} (saved ${f.copyOf.savedAt ?? '?'}); read from that saved copy`]);
  rows.push(['Workbook', 'Integrity', 'Each sheet\'s content hash (SHA-256 of its canonical CSV, docs/evidence.md) is on the Manifest sheet and in the signed .manifest.json beside this file; check with: latchkey evidence verify FILE.xlsx']);
  for (const c of f.connections) {
    rows.push(['Connection', `${c.name} (${c.kind})`, c.baseUrl]);
    if (c.kind !== 'jira') {
      rows.push(['Sync run', c.name, c.run ? `run #${c.run.id} (${c.run.mode}), started ${c.run.startedAt}, finished ${c.run.finishedAt}: the last successful run at or before the period's end` : 'no successful sync run at or before the period\'s end']);
    }
  }
  rows.push(['Audit chain', 'Head', `event ${f.chainHead.seq} of ${f.chainHead.count}, hash ${f.chainHead.hash}`]);
  rows.push([
    'Audit chain',
    'Last checkpoint',
    f.checkpoint
      ? `#${f.checkpoint.id} at ${f.checkpoint.count} events (${f.checkpoint.at}), head ${f.checkpoint.headHash}, key ${f.checkpoint.keyId}, signature ${f.checkpoint.signatureValid ? 'verifies' : 'DOES NOT VERIFY'}`
      : 'none signed yet',
  ]);
  if (about.sample) {
    rows.push(['Sample', 'Seed', about.sample.seed]);
    rows.push(['Sample', 'Rows per population', String(about.sample.perPopulation)]);
    for (const p of about.sample.populations) rows.push(['Sample', `Population "${p.name}"`, `${p.size.toLocaleString('en-US')} rows`]);
  }
  for (const s of sheets) {
    const parts = s.worksheets.length > 1 ? ` (continued in ${s.worksheets.slice(1).join(', ')})` : '';
    rows.push(['Sheet', s.name, `${s.description} [query: ${s.query}]${parts}`]);
  }
  return rows;
}
