// `evidence verify FILE.xlsx [--manifest F]`: re-reads the workbook's cells
// with the lean streaming reader (xlsx-rows.ts, not exceljs), recomputes each
// sheet's canonical CSV hash and row count from them (docs/evidence.md; dates
// come back from their Excel serials to the millisecond), and compares them
// with the manifest and with the workbook's own Manifest sheet. It names each
// difference: a sheet missing, added or out of order, a header changed, a
// row count, a content hash (with the first block of 1,000 rows that differs
// and where it starts), the Manifest sheet disagreeing with the manifest, and
// the signature — checked over the manifest, and its key against the
// workspace's audit keys when a workspace is given. The .xlsx container
// itself (zip, timestamps) may differ from the one the manifest names when
// the content does not: that is a note, not a failure.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { AuditKeyRow } from '../audit/checkpoint-store.js';
import { detachedSignatureValid } from '../audit/checkpoints.js';
import { UserError } from '../context.js';
import { workbookRows } from '../xlsx-rows.js';
import { CanonicalHasher } from './canonical.js';
import { manifestPathFor, manifestPayload, type EvidenceManifest } from './manifest.js';
import { COVER_SHEET, MANIFEST_COLUMNS, MANIFEST_SHEET } from './writer.js';

export type EvidenceFinding = { code: string; sheet?: string; message: string };

export type EvidenceVerifyReport = {
  ok: boolean;
  file: string;
  manifest: string | null;
  signature: { keyId: string; valid: boolean; workspaceKey: boolean | null } | null;
  sheets: { name: string; rows: number; sha256: string; ok: boolean }[];
  findings: EvidenceFinding[];
  notes: string[];
};

type Spec = { name: string; worksheets: string[]; dateCols: Set<number>; rows: number | null; sha256: string | null; blocks: string[]; blockRows: number };

/** An Excel serial (UTC, 1900 system) as the canonical instant. */
export function serialToIso(text: string): string {
  const ms = Math.round((Number(text) - 25569) * 86_400_000);
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? text : d.toISOString();
}

function lettersToIndexes(list: string): Set<number> {
  const out = new Set<number>();
  for (const l of list.split(',').map((s) => s.trim()).filter(Boolean)) {
    let n = 0;
    for (const ch of l.toUpperCase()) n = n * 26 + (ch.charCodeAt(0) - 64);
    out.add(n - 1);
  }
  return out;
}

async function fileSha256(file: string): Promise<string> {
  const h = createHash('sha256');
  await pipeline(fs.createReadStream(file), h);
  return h.digest('hex');
}

/** The Manifest sheet's rows: Sheet → [Worksheets, Rows, SHA-256, Query, Reconciliation, Date columns]. */
async function readManifestSheet(file: string): Promise<Map<string, string[]> | null> {
  const out = new Map<string, string[]>();
  let found = false;
  for await (const row of workbookRows({ path: file })) {
    if (row.name !== MANIFEST_SHEET) {
      if (found) break;
      continue;
    }
    found = true;
    if (row.n === 1) {
      const want = MANIFEST_COLUMNS.map((c) => c.header);
      if (row.cells.slice(0, want.length).join('\u0000') !== want.join('\u0000')) return null;
      continue;
    }
    const [name, ...rest] = row.cells;
    if (name) out.set(name, rest);
  }
  return found ? out : null;
}

export async function verifyEvidence(file: string, opts: { manifestPath?: string; workspaceKeys?: readonly AuditKeyRow[] | null } = {}): Promise<EvidenceVerifyReport> {
  if (!fs.existsSync(file)) throw new UserError(`${file} does not exist`, 'not-found');
  const findings: EvidenceFinding[] = [];
  const notes: string[] = [];
  const manifestPath = opts.manifestPath ?? manifestPathFor(file);
  let manifest: EvidenceManifest | null = null;
  if (fs.existsSync(manifestPath)) {
    try {
      manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8')) as EvidenceManifest;
      if (!Array.isArray(manifest.sheets) || !Array.isArray(manifest.worksheets)) throw new Error('it has no sheets');
    } catch (e) {
      throw new UserError(`the manifest ${manifestPath} is not a Latchkey evidence manifest (${(e as Error).message})`, 'bad-input');
    }
  } else if (opts.manifestPath) {
    throw new UserError(`${opts.manifestPath} does not exist`, 'not-found');
  } else {
    notes.push(`no manifest beside the workbook (${manifestPathFor(file)}): checked against the workbook's own Manifest sheet only, which a forger could have changed along with the sheets`);
  }

  // The signature first: a forged manifest is named whatever else it says.
  let signature: EvidenceVerifyReport['signature'] = null;
  if (manifest) {
    if (manifest.signature) {
      const valid = detachedSignatureValid(manifest.signature, manifestPayload(manifest));
      const keys = opts.workspaceKeys;
      const workspaceKey = keys ? keys.some((k) => k.keyId === manifest.signature?.keyId && k.publicKey === manifest.signature.publicKey) : null;
      signature = { keyId: manifest.signature.keyId, valid, workspaceKey };
      if (!valid) findings.push({ code: 'signature', message: `the manifest's signature does not verify (key ${manifest.signature.keyId}): the manifest was changed after it was signed` });
      if (workspaceKey === false) findings.push({ code: 'unknown-key', message: `the manifest was signed with key ${manifest.signature.keyId}, which is not one of the workspace's audit keys` });
      if (workspaceKey === null) notes.push(`signature checked with the public key the manifest carries (${manifest.signature.keyId}); give the workspace (--db) to check that it is the workspace's audit key`);
    } else {
      notes.push(`the manifest is unsigned: ${manifest.unsigned ?? 'no reason given'}`);
    }
  }

  const sheetTable = await readManifestSheet(file);
  if (!sheetTable) findings.push({ code: 'manifest-sheet', sheet: MANIFEST_SHEET, message: 'the workbook has no Manifest sheet with the expected columns' });

  // What to hash: from the manifest, or else from the Manifest sheet.
  const specs: Spec[] = [];
  if (manifest) {
    for (const s of manifest.sheets) {
      specs.push({ name: s.name, worksheets: s.worksheets, dateCols: new Set(s.columns.flatMap((c, k) => (c.type === 'date' ? [k] : []))), rows: s.rows, sha256: s.sha256, blocks: s.blocks ?? [], blockRows: s.blockRows ?? 1000 });
      const row = sheetTable?.get(s.name);
      if (sheetTable && !row) findings.push({ code: 'manifest-sheet', sheet: s.name, message: `the Manifest sheet has no row for sheet "${s.name}"` });
      else if (row && (row[1] !== String(s.rows) || row[2] !== s.sha256)) findings.push({ code: 'manifest-sheet', sheet: s.name, message: `the Manifest sheet says ${row[1]} rows, ${row[2]} for "${s.name}"; the manifest says ${s.rows} rows, ${s.sha256}` });
    }
  } else if (sheetTable) {
    for (const [name, r] of sheetTable) specs.push({ name, worksheets: (r[0] ?? name).split(',').map((x) => x.trim()), dateCols: lettersToIndexes(r[5] ?? ''), rows: Number(r[1]), sha256: r[2] ?? null, blocks: [], blockRows: 1000 });
  }

  const byWorksheet = new Map<string, { spec: Spec; part: number }>();
  for (const s of specs) s.worksheets.forEach((w, part) => byWorksheet.set(w, { spec: s, part }));
  type State = { hasher: CanonicalHasher | null; header: string[] | null; width: number; blockStart: { sheet: string; n: number } | null; firstBad: string | null; extra: number };
  const states = new Map<Spec, State>();
  const seenOrder: string[] = [];
  for await (const row of workbookRows({ path: file })) {
    if (seenOrder[seenOrder.length - 1] !== row.name) seenOrder.push(row.name);
    const at = byWorksheet.get(row.name);
    if (!at) continue;
    let st = states.get(at.spec);
    if (!st) {
      st = { hasher: null, header: null, width: 0, blockStart: null, firstBad: null, extra: 0 };
      states.set(at.spec, st);
    }
    if (row.n === 1) {
      const header = [...row.cells];
      while (header.length && header[header.length - 1] === '') header.pop();
      if (!st.header) {
        st.header = header;
        st.width = header.length;
        st.hasher = new CanonicalHasher(header);
      } else if (header.join('\u0000') !== st.header.join('\u0000')) {
        findings.push({ code: 'header', sheet: at.spec.name, message: `worksheet "${row.name}" has a header unlike the first part's` });
      }
      continue;
    }
    const h = st.hasher;
    if (!h) {
      findings.push({ code: 'header', sheet: at.spec.name, message: `worksheet "${row.name}" has no header row` });
      st.hasher = new CanonicalHasher([]);
      continue;
    }
    if (h.rows % at.spec.blockRows === 0) st.blockStart = { sheet: row.name, n: row.n };
    const fields: string[] = new Array<string>(st.width);
    for (let k = 0; k < st.width; k++) {
      const c = row.cells[k] ?? '';
      fields[k] = at.spec.dateCols.has(k) && row.numeric[k] ? serialToIso(c) : c;
    }
    for (let k = st.width; k < row.cells.length; k++) if (row.cells[k] !== '') st.extra++;
    h.fields(fields);
    if (h.rows % at.spec.blockRows === 0 && st.firstBad === null) {
      const b = h.rows / at.spec.blockRows - 1;
      const want = at.spec.blocks[b];
      if (want !== undefined && want !== h.sofar() && st.blockStart) st.firstBad = `rows ${b * at.spec.blockRows + 1}–${h.rows} of the sheet (from row ${st.blockStart.n} of worksheet "${st.blockStart.sheet}")`;
    }
  }

  // Order and presence of worksheets.
  const expectedOrder = manifest?.worksheets ?? null;
  const present = new Set(seenOrder);
  for (const s of specs) for (const w of s.worksheets) if (!present.has(w)) findings.push({ code: 'missing-sheet', sheet: s.name, message: `worksheet "${w}" is missing` });
  if (expectedOrder) {
    const known = new Set(expectedOrder);
    for (const w of seenOrder) if (!known.has(w)) findings.push({ code: 'extra-sheet', sheet: w, message: `worksheet "${w}" is not in the manifest` });
    const got = seenOrder.filter((w) => known.has(w));
    const want = expectedOrder.filter((w) => present.has(w));
    if (got.join('\u0000') !== want.join('\u0000')) findings.push({ code: 'order', message: `the worksheets are not in the manifest's order: ${got.join(', ')} (expected ${want.join(', ')})` });
  } else if (seenOrder[0] !== COVER_SHEET) notes.push('the first worksheet is not the Cover');

  const sheets: EvidenceVerifyReport['sheets'] = [];
  for (const s of specs) {
    const st = states.get(s);
    if (!st?.hasher) {
      sheets.push({ name: s.name, rows: 0, sha256: '', ok: false });
      continue;
    }
    const rows = st.hasher.rows;
    const sha256 = st.hasher.digest();
    let ok = true;
    if (s.rows !== null && rows !== s.rows) {
      ok = false;
      findings.push({ code: 'rows', sheet: s.name, message: `"${s.name}" has ${rows.toLocaleString('en-US')} rows; the manifest says ${s.rows.toLocaleString('en-US')}` });
    }
    if (s.sha256 !== null && sha256 !== s.sha256) {
      ok = false;
      findings.push({ code: 'content', sheet: s.name, message: `"${s.name}"'s content differs from the manifest (SHA-256 ${sha256}, expected ${s.sha256})${st.firstBad ? `; the first difference is in ${st.firstBad}` : ''}` });
    }
    if (st.extra > 0) {
      ok = false;
      findings.push({ code: 'extra-cells', sheet: s.name, message: `"${s.name}" has ${st.extra} filled cell${st.extra === 1 ? '' : 's'} right of its columns` });
    }
    sheets.push({ name: s.name, rows, sha256, ok });
  }

  if (manifest?.workbook?.sha256) {
    const actual = await fileSha256(file);
    if (actual !== manifest.workbook.sha256) {
      const contentOk = findings.length === 0;
      notes.push(`the file's SHA-256 (${actual}) is not the one the manifest names (${manifest.workbook.sha256})${contentOk ? ': the container differs (re-saved or regenerated), every sheet\'s content is the same' : ''}`);
    }
  }
  return { ok: findings.length === 0, file, manifest: manifest ? manifestPath : null, signature, sheets, findings, notes };
}
