// FILE.manifest.json beside the workbook: the workbook's SHA-256, each
// sheet's canonical-CSV SHA-256, row count, worksheets and column types (and
// its running digest every 1,000 rows, so `evidence verify` can say where a
// sheet first differs), the period, the audit chain head, generatedAt —
// signed with the workspace's Ed25519 audit key when the keychain holds it.
// The signature covers "latchkey-evidence-manifest/1\n" followed by the
// manifest without its "signature" and "unsigned" fields as canonical JSON
// (keys sorted, no spaces). A read-only copy has no keychain: the manifest
// then carries "signature": null and the reason in "unsigned".
//
// exportEvidence is the whole export: the workbook, then the manifest, both
// through temporary files; if the manifest cannot be written the workbook
// goes too (a workbook without its manifest is not the deliverable).
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { canonicalJson } from '../audit/audit-log.js';
import { signDetached, type DetachedSignature } from '../audit/checkpoints.js';
import type { Db } from '../db/database.js';
import type { SecretStore } from '../secrets/secret-store.js';
import { DIGEST_BLOCK, writeEvidenceWorkbook, type ExportOptions, type WrittenWorkbook } from './writer.js';

export const MANIFEST_FORMAT = 'latchkey-evidence-manifest/1';

export type ManifestSheet = {
  name: string;
  query: string;
  worksheets: string[];
  rows: number;
  sha256: string;
  columns: { header: string; type: string }[];
  reconciliations: { what: string; expected: number; actual: number }[];
  blockRows: number;
  blocks: string[];
};

export type ManifestBody = {
  format: typeof MANIFEST_FORMAT;
  workbook: { file: string; sha256: string; bytes: number };
  period: { from: string; to: string };
  generatedAt: string;
  latchkeyVersion: string;
  workspaceId: string;
  copyOf: { workspaceId: string | null; savedAt: string | null } | null;
  auditChain: { head: { seq: number; hash: string; count: number }; checkpoint: { id: number; count: number; headHash: string; at: string; keyId: string } | null };
  syncRuns: { connection: string; runId: number | null; finishedAt: string | null }[];
  sample: { seed: string; perPopulation: number; populations: { name: string; size: number }[] } | null;
  /** Every worksheet of the workbook, in order. */
  worksheets: string[];
  sheets: ManifestSheet[];
};

export type EvidenceManifest = ManifestBody & { signature: DetachedSignature | null; unsigned?: string };

/** The manifest's path for a workbook: FILE.xlsx → FILE.manifest.json. */
export function manifestPathFor(workbook: string): string {
  return `${workbook.replace(/\.xlsx$/i, '')}.manifest.json`;
}

/** The exact text the signature covers. */
export function manifestPayload(m: ManifestBody | EvidenceManifest): string {
  const { signature: _s, unsigned: _u, ...body } = m as EvidenceManifest;
  return `${MANIFEST_FORMAT}\n${canonicalJson(body)}`;
}

export function manifestBody(w: WrittenWorkbook): ManifestBody {
  const cp = w.facts.checkpoint;
  return {
    format: MANIFEST_FORMAT,
    workbook: { file: path.basename(w.path), sha256: w.sha256, bytes: w.bytes },
    period: { from: w.from, to: w.to },
    generatedAt: w.generatedAt,
    latchkeyVersion: w.version,
    workspaceId: w.facts.workspaceId,
    copyOf: w.facts.copyOf,
    auditChain: { head: w.facts.chainHead, checkpoint: cp ? { id: cp.id, count: cp.count, headHash: cp.headHash, at: cp.at, keyId: cp.keyId } : null },
    syncRuns: w.facts.connections.filter((c) => c.kind !== 'jira').map((c) => ({ connection: c.name, runId: c.run?.id ?? null, finishedAt: c.run?.finishedAt ?? null })),
    sample: w.sample,
    worksheets: w.worksheets,
    sheets: w.sheets.map((s) => ({ name: s.name, query: s.query, worksheets: s.worksheets, rows: s.rows, sha256: s.sha256, columns: s.columns, reconciliations: s.reconciliations, blockRows: DIGEST_BLOCK, blocks: s.blocks })),
  };
}

export type EvidenceExport = WrittenWorkbook & { manifestPath: string; signature: DetachedSignature | null; unsigned: string | null };

/** Writes the workbook and its manifest (signed when the keychain holds the workspace's audit key). */
export async function exportEvidence(src: { db: Db; now: Date; secrets: SecretStore; readOnly: boolean }, opts: ExportOptions): Promise<EvidenceExport> {
  const w = await writeEvidenceWorkbook({ db: src.db, now: src.now }, opts);
  const manifestPath = manifestPathFor(opts.out);
  const partial = `${manifestPath}.partial-${randomBytes(6).toString('hex')}`;
  try {
    const body = manifestBody(w);
    const signed = await signDetached(src, manifestPayload(body));
    const manifest: EvidenceManifest = 'signature' in signed ? { ...body, signature: signed.signature } : { ...body, signature: null, unsigned: signed.why };
    fs.writeFileSync(partial, `${JSON.stringify(manifest, null, 2)}\n`, { flag: 'wx', mode: 0o644 });
    fs.renameSync(partial, manifestPath);
    return { ...w, manifestPath, signature: manifest.signature, unsigned: manifest.unsigned ?? null };
  } catch (e) {
    fs.rmSync(partial, { force: true });
    fs.rmSync(opts.out, { force: true });
    throw e;
  }
}
