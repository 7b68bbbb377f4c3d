// An item's reasons stored in the JSON form (campaigns launched before the
// codes form) and in the codes form (reviews/reason-codes.ts) read the same
// in every reader: the item list and its reason filter, the console's review
// grid, the CLI, the reviewer workbook (as openpyxl reads it; and such a
// workbook imports back), and the reviewer's Jira issue.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../electron/cli/cli.js';
import type { AdfNode } from '../../electron/engine/connectors/jira/jira-fields.js';
import { reviewIssueContent } from '../../electron/engine/jira/review-issues.js';
import { campaignRecord, type CampaignRecord } from '../../electron/engine/reviews/campaign-store.js';
import { gridView } from '../../electron/engine/reviews/grid-view.js';
import { itemIdsMatching } from '../../electron/engine/reviews/item-store.js';
import { listItems } from '../../electron/engine/reviews/items.js';
import { exportReviewerWorkbookToFile, importReviewerWorkbook, WORKBOOK_HEADER } from '../../electron/engine/reviews/workbook.js';
import { memorySecretStore } from '../../electron/engine/secrets/secret-store.js';
import { reviewItemsQuery } from '../../shared/contract-reviews.js';
import { py } from '../helpers/openpyxl.js';
import { insertCampaign, insertItems } from '../helpers/review-items-fixture.js';
import { tempDir } from '../helpers/tmp.js';
import { buildWorld, type RequestsWorld } from '../unit/request-fixture.js';

const ADA = 'ada@acme.example';
const dir = tempDir('latchkey-reasons-readers-');

/** The same facts in both forms, as launch writes them (texts as recommendations.ts builds them). */
const CODES = '~asuspended~n90/2025-12-01~o~p1/40/10~mdepartment and manager~hhigh';
const TEXTS = [
  { code: 'account-inactive', text: 'the account is suspended in the identity provider' },
  { code: 'no-sign-in', text: 'no sign-in for 90 days or more (last 2025-12-01)' },
  { code: 'outside-process', text: 'no grant behind this membership: access held outside the process' },
  { code: 'peer-outlier', text: 'held by 1 of 40 people with the same department and title (under 10%)' },
  { code: 'moved-since-grant', text: 'the department and manager changed since the access was granted' },
  { code: 'high-risk', text: 'high-risk role' },
];
const JSON_FORM = JSON.stringify(TEXTS);

let w: RequestsWorld;
let campaign: number;
let oldItem: number;
let newItem: number;
let emptyItem: number;
beforeEach(() => {
  w = buildWorld();
  w.clock.set(new Date('2026-03-10T09:00:00.000Z'));
  campaign = insertCampaign(w.ctx.db, { name: 'Q1 Figma', dueAt: '2026-03-20T00:00:00.000Z' });
  [oldItem, newItem, emptyItem] = insertItems(w.ctx.db, campaign, w.okta, [
    { reviewer: ADA, recommendation: 'revoke', storedReasons: JSON_FORM },
    { reviewer: ADA, recommendation: 'revoke', storedReasons: CODES },
    { reviewer: ADA, recommendation: 'keep', storedReasons: '~' },
  ]) as [number, number, number];
});
afterEach(() => w.ws.cleanup());

describe('reasons stored in either form', () => {
  it('read the same in the item list, its reason filter and the bulk filter', () => {
    const rows = listItems(w.ctx, reviewItemsQuery.parse({ campaignId: campaign, limit: 100 }), null).rows;
    const of = (id: number) => rows.find((r) => r.id === id);
    expect(of(oldItem)?.reasons).toEqual(TEXTS);
    expect(of(newItem)?.reasons).toEqual(TEXTS);
    expect(of(emptyItem)?.reasons).toEqual([]);
    expect(rows.map((r) => r.changedSinceLaunch)).toEqual([false, false, false]);
    for (const code of ['account-inactive', 'no-sign-in', 'outside-process', 'peer-outlier', 'moved-since-grant', 'high-risk'] as const) {
      const hit = listItems(w.ctx, reviewItemsQuery.parse({ campaignId: campaign, limit: 100, reason: code }), null).rows.map((r) => r.id);
      expect(hit, code).toEqual([oldItem, newItem]);
      expect(itemIdsMatching(w.ctx.db, campaign, { reason: code }), code).toEqual([oldItem, newItem]);
    }
    for (const code of ['never-signed-in', 'expired-grant-present', 'past-end-date', 'recently-approved'] as const) {
      expect(listItems(w.ctx, reviewItemsQuery.parse({ campaignId: campaign, limit: 100, reason: code }), null).rows, code).toEqual([]);
      expect(itemIdsMatching(w.ctx.db, campaign, { reason: code }), code).toEqual([]);
    }
  });

  it('tell "changed since launch" by what the reasons say, whatever the forms compared', () => {
    // A launch copy in the other form of the same facts is no change; another reason is one.
    w.ctx.db.prepare('UPDATE review_items SET launch_reasons = ? WHERE id = ?').run(JSON_FORM, newItem);
    w.ctx.db.prepare('UPDATE review_items SET launch_reasons = ? WHERE id = ?').run('~asuspended~n90/2025-12-01~o', oldItem);
    const rows = listItems(w.ctx, reviewItemsQuery.parse({ campaignId: campaign, limit: 100 }), null).rows;
    expect(rows.find((r) => r.id === newItem)?.changedSinceLaunch).toBe(false);
    expect(rows.find((r) => r.id === oldItem)?.changedSinceLaunch).toBe(true);
    const grid = gridView(w.ctx, campaign, ADA);
    expect(grid.items.find((i) => i[0] === newItem)?.[8]).toBe(0);
    expect(grid.items.find((i) => i[0] === oldItem)?.[8]).toBe(1);
  });

  it('read the same in the review grid and the CLI', async () => {
    const grid = gridView(w.ctx, campaign, ADA);
    const reasonsOf = (id: number) => grid.reasons[grid.items.find((i) => i[0] === id)?.[6] as number];
    expect(reasonsOf(oldItem)).toEqual(TEXTS);
    expect(reasonsOf(newItem)).toEqual(TEXTS);
    expect(reasonsOf(emptyItem)).toEqual([]);
    const out: string[] = [];
    const code = await runCli(['--db', w.ctx.dbPath, 'review', 'items', String(campaign)], { stdout: (s) => out.push(s), stderr: (s) => out.push(s), env: {}, secrets: memorySecretStore() });
    expect(code).toBe(0);
    const text = out.join('');
    const block = (id: number): string => (text.split(/^(?=#\d+ )/m).find((b) => b.startsWith(`#${id} `)) ?? '').replace(/^#\d+ .*\n/, '');
    expect(block(oldItem)).toBe(TEXTS.map((r) => `      ${r.code}: ${r.text}\n`).join(''));
    expect(block(newItem)).toBe(block(oldItem));
  });

  it('read the same in the reviewer workbook (openpyxl), which imports back', async () => {
    const file = `${dir}/ada-${campaign}-${Math.random().toString(36).slice(2)}.xlsx`;
    await exportReviewerWorkbookToFile(w.ctx, campaign, ADA, file);
    const rows = py<unknown[][]>(`ws = openpyxl.load_workbook(sys.argv[1])['Review']\nprint(json.dumps([[c.value for c in r] for r in ws.iter_rows(min_row=2)], default=str))`, file);
    const cell = (id: number) => rows.find((r) => r[0] === id)?.[WORKBOOK_HEADER.indexOf('reasons')];
    const expected = TEXTS.map((r) => `${r.text} (${r.code})`).join('; ');
    expect(cell(oldItem)).toBe(expected);
    expect(cell(newItem)).toBe(expected);
    expect(cell(emptyItem)).toBeNull();
    // Decided in openpyxl and imported: every row's hash checks out, whatever its reasons' form.
    const decided = `${file}-decided.xlsx`;
    py(
      `wb = openpyxl.load_workbook(sys.argv[1])\nws = wb['Review']\nhead = [c.value for c in ws[1]]\nfor r in range(2, ws.max_row + 1): ws.cell(row=r, column=head.index('Decision') + 1, value='Keep'); ws.cell(row=r, column=head.index('Reason') + 1, value='still-needed')\nwb.save(sys.argv[2])\nprint('{}')`,
      file,
      decided,
    );
    const result = await importReviewerWorkbook(w.ctx, campaign, { path: decided }, { expectReviewer: ADA });
    expect(result).toMatchObject({ reviewer: ADA, decisions: 3 });
  });

  it("read the same in the reviewer's Jira issue", () => {
    const c = campaignRecord(w.ctx.db, campaign) as CampaignRecord;
    const { description } = reviewIssueContent(w.ctx, c, 1, ADA, 3);
    const text = (n: AdfNode): string => (n.text ?? '') + (n.content ?? []).map(text).join('');
    const table = description.content.find((n) => n.type === 'table') as AdfNode;
    const rows = (table.content ?? []).slice(1).map((r) => (r.content ?? []).map(text));
    const reasonCells = rows.map((r) => r.at(-1));
    const expected = TEXTS.map((r) => r.text).join('; ');
    // Rows by person (Person 000001 = the JSON-form item, 000002 = the codes form, 000003 none).
    expect(reasonCells).toEqual([expected, expected, '—']);
  });
});
