// `evidence verify` against tampering done by an independent tool (openpyxl
// edits and re-saves the workbook): a changed cell (named with the block of
// rows where it is), a removed row, two sheets swapped (by place, and by
// name), a forged manifest (its signature fails; re-signed with another key,
// the key is not the workspace's) — each caught and named. An untouched
// workbook verifies; re-saved unchanged, only its container differs; and
// regenerating from the same workspace file and period gives the same hashes.
import { generateKeyPairSync, sign } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAuditKeys } from '../../electron/engine/audit/checkpoint-store.js';
import { auditKeyId, loadAuditSigner, publicKeyText, unloadAuditSigner } from '../../electron/engine/audit/checkpoints.js';
import { openDatabase, type Db } from '../../electron/engine/db/database.js';
import { exportEvidence, manifestPathFor, manifestPayload, type EvidenceExport, type EvidenceManifest } from '../../electron/engine/evidence/manifest.js';
import { verifyEvidence } from '../../electron/engine/evidence/verify.js';
import { memorySecretStore } from '../../electron/engine/secrets/secret-store.js';
import { grants, people } from '../fixtures/evidence-sheets.js';
import { py } from '../helpers/openpyxl.js';
import { tempDir } from '../helpers/tmp.js';

const dir = tempDir('latchkey-evidence-verify-');
let db: Db;
const secrets = memorySecretStore();
const now = new Date('2026-06-30T12:00:00.000Z');
let exported: EvidenceExport;
const file = path.join(dir, 'evidence.xlsx');
const opts = { from: '2026-01-01T00:00:00.000Z', to: '2026-06-30T23:59:59.999Z', version: '0.1.0-test', sheets: [people, grants], sample: { n: 3, seed: 's' }, maxRowsPerWorksheet: 1000 };

/** A copy of the workbook edited by openpyxl (and its manifest beside it). */
function tampered(name: string, script: string): string {
  const out = path.join(dir, `${name}.xlsx`);
  py(`wb = openpyxl.load_workbook(sys.argv[1])\n${script}\nwb.save(sys.argv[2])\nprint('{}')`, file, out);
  fs.copyFileSync(manifestPathFor(file), manifestPathFor(out));
  return out;
}

const keys = () => listAuditKeys(db);

beforeAll(async () => {
  db = openDatabase(path.join(dir, 'ws.latchkey'));
  const ctx = { db, secrets, clock: { now: () => now }, readOnly: false, actor: 'test' };
  expect((await loadAuditSigner(ctx)).signing).toBe(true);
  exported = await exportEvidence({ db, now, secrets, readOnly: false }, { ...opts, out: file });
});
afterAll(() => {
  unloadAuditSigner(db);
  db.close();
});

describe('evidence verify', () => {
  it('verifies an untouched workbook, its manifest signed with the workspace key', async () => {
    expect(exported.signature?.keyId).toBe(keys()[0]?.keyId);
    const r = await verifyEvidence(file, { workspaceKeys: keys() });
    expect(r.findings).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.signature).toEqual({ keyId: exported.signature?.keyId, valid: true, workspaceKey: true });
    expect(r.sheets.map((s) => [s.name, s.rows, s.sha256])).toEqual(exported.sheets.map((s) => [s.name, s.rows, s.sha256]));
  });

  it('says an unchanged re-save differs only in its container', async () => {
    const f = tampered('resaved', '');
    const r = await verifyEvidence(f, { workspaceKeys: keys() });
    expect(r.ok).toBe(true);
    expect(r.notes.join('\n')).toMatch(/container differs .* every sheet's content is the same/);
  });

  it('catches a changed cell and says in which rows', async () => {
    const r = await verifyEvidence(tampered('cell', "wb['Grants (2)']['B500'].value = 'g1499 (edited)'"));
    expect(r.ok).toBe(false);
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]).toMatchObject({ code: 'content', sheet: 'Grants' });
    expect(r.findings[0]?.message).toMatch(/first difference is in rows 1001–2000 of the sheet \(from row 2 of worksheet "Grants \(2\)"\)/);
  });

  it('catches a removed row', async () => {
    const r = await verifyEvidence(tampered('row', "wb['People'].delete_rows(7)"));
    expect(r.findings.map((f) => [f.code, f.sheet])).toEqual([
      ['rows', 'People'],
      ['content', 'People'],
    ]);
    expect(r.findings[0]?.message).toBe('"People" has 24 rows; the manifest says 25');
  });

  it('catches two sheets swapped, by place and by name', async () => {
    const byPlace = await verifyEvidence(tampered('swap-place', "s = wb._sheets\ni, j = wb.sheetnames.index('People'), wb.sheetnames.index('Exceptions')\ns[i], s[j] = s[j], s[i]"));
    expect(byPlace.findings.map((f) => f.code)).toEqual(['order']);
    const byName = await verifyEvidence(tampered('swap-name', "a, b = wb['People'], wb['Sample']\na.title = 'tmp'\nb.title = 'People'\na.title = 'Sample'"));
    expect(byName.ok).toBe(false);
    expect(new Set(byName.findings.flatMap((f) => (f.sheet ? [f.sheet] : [])))).toEqual(new Set(['People', 'Sample']));
    expect(byName.findings.some((f) => f.code === 'order')).toBe(true);
  });

  it('catches a forged manifest: edited after signing, or re-signed with a key that is not the workspace\'s', async () => {
    const edited = tampered('forged', "wb['People']['A3'].value = 'mallory'");
    const m = JSON.parse(fs.readFileSync(manifestPathFor(edited), 'utf8')) as EvidenceManifest;
    const other = await verifyEvidence(edited);
    const people = m.sheets.find((s) => s.name === 'People');
    if (!people) throw new Error('no People sheet');
    people.sha256 = other.sheets.find((s) => s.name === 'People')?.sha256 ?? '';
    people.blocks = [];
    fs.writeFileSync(manifestPathFor(edited), JSON.stringify(m));
    const r = await verifyEvidence(edited, { workspaceKeys: keys() });
    expect(r.findings.map((f) => f.code)).toEqual(['signature', 'manifest-sheet']);
    // Re-signed by the forger: the signature holds, but not under the workspace's key.
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const { signature: _drop, ...body } = m;
    const forged: EvidenceManifest = { ...body, signature: { algorithm: 'ed25519', keyId: auditKeyId(publicKey), publicKey: publicKeyText(publicKey), value: '' } };
    forged.signature = { ...(forged.signature as NonNullable<EvidenceManifest['signature']>), value: sign(null, Buffer.from(manifestPayload(forged)), privateKey).toString('base64') };
    fs.writeFileSync(manifestPathFor(edited), JSON.stringify(forged));
    const r2 = await verifyEvidence(edited, { workspaceKeys: keys() });
    expect(r2.findings.map((f) => f.code)).toEqual(['unknown-key', 'manifest-sheet']);
    expect(r2.signature).toMatchObject({ valid: true, workspaceKey: false });
  });

  it('without a manifest file, checks the sheets against the workbook\'s own Manifest sheet and says that proves less', async () => {
    const alone = path.join(dir, 'alone.xlsx');
    fs.copyFileSync(file, alone);
    const r = await verifyEvidence(alone);
    expect(r.findings).toEqual([]);
    expect(r.manifest).toBeNull();
    expect(r.notes.join('\n')).toMatch(/no manifest beside the workbook .* a forger could have changed/);
    const edited = tampered('alone-edited', "wb['Grants']['B10'].value = 'changed'");
    fs.rmSync(manifestPathFor(edited));
    expect((await verifyEvidence(edited)).findings.map((f) => [f.code, f.sheet])).toEqual([['content', 'Grants']]);
    await expect(verifyEvidence(alone, { manifestPath: path.join(dir, 'nope.json') })).rejects.toThrow(/nope\.json does not exist/);
  });

  it('gives the same sheet hashes when regenerated from the same workspace and period', async () => {
    const again = path.join(dir, 'again.xlsx');
    const w = await exportEvidence({ db, now: new Date(now.getTime() + 3_600_000), secrets, readOnly: true }, { ...opts, out: again });
    expect(w.signature).toBeNull();
    expect(w.unsigned).toMatch(/read-only/);
    expect(w.sheets.map((s) => [s.name, s.sha256])).toEqual(exported.sheets.map((s) => [s.name, s.sha256]));
    // The new workbook checked against the first one's manifest: content equal, the container differs.
    const r = await verifyEvidence(again, { manifestPath: manifestPathFor(file), workspaceKeys: keys() });
    expect(r.findings).toEqual([]);
    expect(r.notes.join('\n')).toMatch(/container differs/);
  });
});
