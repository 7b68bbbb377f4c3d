// Access reviews in a copied snapshot opened read-only: a workspace synced
// from the sandbox Okta with one campaign launched, partly decided and closed
// and one still under review (partly decided), saved with `latchkey snapshot
// save`. On the copy, over the HTTP bridge, the reviews read channels answer
// (list, get, items, item, progress, the reviewer workbook
// export) and every reviews write channel is refused with code 'read-only';
// the CLI's review read verbs run with --read-only and every write verb is
// refused before anything is opened for writing. The copy stays byte-for-byte
// as it was.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Result } from '../../shared/contract.js';
import type { CampaignProgress, CampaignSummary, CampaignView, ReviewItemDetail, ReviewItemRow } from '../../shared/contract-reviews.js';
import type { Page } from '../../shared/domain.js';
import { runCli } from '../../electron/cli/cli.js';
import { createHandlers, WRITE_CHANNELS } from '../../electron/engine/api.js';
import { startBridge, type Bridge } from '../../electron/engine/bridge/http-bridge.js';
import type { EngineContext } from '../../electron/engine/context.js';
import { memorySecretStore } from '../../electron/engine/secrets/secret-store.js';
import { openWorkspace } from '../../electron/engine/workspace/workspace.js';
import { startSandbox, type Sandbox } from '../../electron/sandbox/sandbox.js';
import { callChannel, openSession } from '../fixtures/http-client.js';
import { WRITE_INPUTS } from '../fixtures/write-inputs.js';
import { tempDir } from '../helpers/tmp.js';
import type { JobsWorkspace } from './job-helpers.js';
import { bigGroup, reviewWorkspace } from './review-helpers.js';

const dir = tempDir('latchkey-reviews-read-only-');
const REVIEWER = 'rev@example.com';
let sandbox: Sandbox;
let w: JobsWorkspace;
let copy: string;
let ro: EngineContext;
let bridge: Bridge;
let session: string;
let closedId = 0;
let activeId = 0;
let hashBefore = '';
const fileHash = (f: string): string => createHash('sha256').update(fs.readFileSync(f)).digest('hex');

const out: string[] = [];
const err: string[] = [];
const io = { stdout: (s: string) => out.push(s), stderr: (s: string) => err.push(s), env: {} as NodeJS.ProcessEnv, secrets: memorySecretStore() };
async function cli(db: string, ...args: string[]): Promise<number | 'serving'> {
  out.length = 0;
  err.length = 0;
  return runCli(['--db', db, ...args], io);
}
const json = <T>(): T => JSON.parse(out.join('')) as T;
async function must(db: string, ...args: string[]): Promise<void> {
  const code = await cli(db, ...args);
  if (code !== 0) throw new Error(`latchkey ${args.join(' ')} exited ${code}: ${err.join('')}`);
}
async function read<T>(channel: string, input: unknown): Promise<T> {
  const res = await callChannel(bridge.port, session, channel, input);
  const body = res.json() as Result<T>;
  if (!body.ok) throw new Error(`${channel}: ${body.error}`);
  return body.value;
}

beforeAll(async () => {
  sandbox = await startSandbox({ users: 200, seed: 8, graph: false });
  w = await reviewWorkspace(dir, sandbox);
  const group = bigGroup(w.db, w.okta.id);
  const db = w.ctx.dbPath;
  const campaign = async (name: string): Promise<number> => {
    await must(db, 'review', 'create', '--name', name, '--group', group.groupName, '--connection', 'Okta', '--reviewer', REVIEWER, '--fallback', 'sec@example.com', '--due', '2099-01-01', '--json');
    const id = json<CampaignView>().id;
    await must(db, 'review', 'launch', String(id), '--json');
    // Partly decided: two items kept and submitted, the rest left open.
    await must(db, 'review', 'items', String(id), '--reviewer', REVIEWER, '--limit', '2', '--json');
    const two = json<Page<ReviewItemRow>>().rows.map((i) => String(i.id));
    await must(db, 'review', 'decide', String(id), ...two, '--keep', '--reason', 'still-needed', '--as', REVIEWER);
    await must(db, 'review', 'submit', String(id), '--as', REVIEWER);
    return id;
  };
  closedId = await campaign('Closed review');
  await must(db, 'review', 'close', String(closedId), '--json');
  activeId = await campaign('Open review');
  copy = path.join(dir, 'copy.latchkey');
  await must(db, 'snapshot', 'save', copy);
  w.db.close();
  hashBefore = fileHash(copy);
  ro = openWorkspace({ dbPath: copy, readOnly: true, secrets: memorySecretStore(), transport: 'bridge' });
  bridge = await startBridge({ handlers: createHandlers(ro) });
  session = await openSession(bridge.port, bridge.token);
}, 120_000);

afterAll(async () => {
  await bridge?.close();
  ro?.db.close();
  await sandbox?.close();
});

describe('access reviews in a read-only snapshot', () => {
  it('answers every reviews read channel from the copy', async () => {
    const list = await read<CampaignSummary[]>('reviews:list', {});
    expect(list.map((c) => [c.id, c.status]).sort()).toEqual([
      [closedId, expect.stringMatching(/^(remediating|complete)$/) as unknown],
      [activeId, 'active'],
    ].sort());
    const closed = await read<CampaignView>('reviews:get', { campaignId: closedId });
    expect(closed.closedAt).not.toBeNull();
    expect(closed.population?.hash).toMatch(/^[0-9a-f]{64}$/);
    const items = await read<Page<ReviewItemRow>>('reviews:items', { campaignId: closedId, decision: 'submitted', limit: 1000 });
    // The two kept by the reviewer, and every other item with the campaign's default at close.
    expect(items.total).toBe(closed.items);
    expect(items.rows.filter((i) => i.decision?.by === REVIEWER && i.decision.channel === 'cli')).toHaveLength(2);
    const first = items.rows.find((i) => i.decision?.by === REVIEWER);
    const detail = await read<ReviewItemDetail>('reviews:item', { itemId: first?.id });
    expect(detail).toMatchObject({ id: first?.id, decision: { decision: 'keep', reasonCode: 'still-needed' } });
    expect(detail.rowHash).toMatch(/^[0-9a-f]{64}$/);
    const progress = await read<CampaignProgress>('reviews:progress', { campaignId: activeId });
    expect(progress).toMatchObject({ submitted: 2, decided: 2 });
    expect(progress.byReviewer.find((r) => r.reviewer === REVIEWER)?.channels).toEqual(['cli']);

    // The reviewer workbook of the open campaign: an .xlsx of the reviewer's items in the open stage (the two decided ones show it), read back by ExcelJS.
    const book = await read<{ filename: string; contentBase64: string; rows: number; sha256: string }>('reviews:exportWorkbook', { campaignId: activeId, reviewer: REVIEWER });
    const bytes = Buffer.from(book.contentBase64, 'base64');
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(book.sha256);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(bytes as unknown as ArrayBuffer);
    const sheet = wb.getWorksheet('Review');
    expect(sheet?.getRow(1).getCell(1).value).toBe('item_id');
    expect(book.rows).toBe((await read<CampaignView>('reviews:get', { campaignId: activeId })).items);
    expect(sheet?.actualRowCount).toBe(book.rows + 1);
  });

  it('refuses every reviews write channel with code read-only, and the file is unchanged', async () => {
    const writes = WRITE_CHANNELS.filter((c) => c.startsWith('reviews:'));
    expect(writes).toEqual(expect.arrayContaining(['reviews:create', 'reviews:launch', 'reviews:decide', 'reviews:submit', 'reviews:close', 'reviews:importWorkbook', 'reviews:reassign', 'reviews:cancel']));
    for (const channel of writes) {
      const input = { ...(WRITE_INPUTS[channel] as object), ...('campaignId' in (WRITE_INPUTS[channel] as object) ? { campaignId: activeId } : {}) };
      const body = (await callChannel(bridge.port, session, channel, input)).json() as Result<unknown>;
      expect(body, channel).toMatchObject({ ok: false, code: 'read-only' });
    }
    expect((await read<CampaignView>('reviews:get', { campaignId: activeId })).status).toBe('active');
    expect(fileHash(copy)).toBe(hashBefore);
  });

  it('runs the CLI review read verbs with --read-only and refuses every write verb', async () => {
    expect(await cli(copy, '--read-only', 'review', 'list', '--json')).toBe(0);
    expect(json<CampaignSummary[]>().map((c) => c.id).sort()).toEqual([closedId, activeId].sort());
    expect(await cli(copy, '--read-only', 'review', 'show', String(closedId), '--json')).toBe(0);
    expect(json<CampaignView>().id).toBe(closedId);
    expect(await cli(copy, '--read-only', 'review', 'items', String(activeId), '--decision', 'submitted', '--json')).toBe(0);
    expect(json<Page<ReviewItemRow>>().total).toBe(2);
    expect(await cli(copy, '--read-only', 'review', 'progress', String(activeId), '--json')).toBe(0);
    const xlsx = path.join(dir, 'out.xlsx');
    const writes: string[][] = [
      ['create', '--name', 'X', '--group', 'G', '--reviewer', REVIEWER, '--fallback', 'sec@example.com'],
      ['launch', String(activeId)],
      ['cancel', String(activeId), '--reason', 'no'],
      ['decide', String(activeId), '--undecided', '--keep', '--as', REVIEWER],
      ['submit', String(activeId), '--as', REVIEWER],
      ['reassign', String(activeId), '--to', 'sec@example.com', '--reason', 'away', '--from', REVIEWER],
      ['close', String(activeId)],
      ['workbook', 'import', String(activeId), xlsx],
    ];
    for (const args of writes) {
      expect(await cli(copy, '--read-only', 'review', ...args), args.join(' ')).toBe(1);
      expect(err.join(''), args.join(' ')).toMatch(/changes the workspace or needs its credentials: refused on a workspace opened with --read-only \(nothing was changed\)/);
    }
    // The workbook export only reads: it runs on the copy.
    expect(await cli(copy, '--read-only', 'review', 'workbook', 'export', String(activeId), '--reviewer', REVIEWER, '--out', xlsx)).toBe(0);
    expect(fs.existsSync(xlsx)).toBe(true);
    expect(fileHash(copy)).toBe(hashBefore);
  });
});
