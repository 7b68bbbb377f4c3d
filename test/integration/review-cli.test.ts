// `latchkey review ...` end to end through runCli on a synced workspace file:
// create from flags or a scope file, preview, launch, show, list, items with
// --json (the contract's field names), refusals exit 1 with the reason, and
// the read verbs on --read-only while launch is refused there.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CampaignPreview, CampaignSummary, CampaignView, ReviewItemRow } from '../../shared/contract-reviews.js';
import type { Page } from '../../shared/domain.js';
import { runCli } from '../../electron/cli/cli.js';
import { memorySecretStore } from '../../electron/engine/secrets/secret-store.js';
import { startSandbox, type Sandbox } from '../../electron/sandbox/sandbox.js';
import { tempDir } from '../helpers/tmp.js';
import type { JobsWorkspace } from './job-helpers.js';
import { bigGroup, reviewWorkspace } from './review-helpers.js';

const dir = tempDir('latchkey-review-cli-');
let sandbox: Sandbox;
let w: JobsWorkspace;
let group: { groupId: string; groupName: string; members: number };

beforeAll(async () => {
  sandbox = await startSandbox({ users: 200, seed: 8, graph: false });
  w = await reviewWorkspace(dir, sandbox);
  group = bigGroup(w.db, w.okta.id);
}, 90_000);
afterAll(async () => {
  await sandbox.close();
});

const out: string[] = [];
const err: string[] = [];
const io = { stdout: (s: string) => out.push(s), stderr: (s: string) => err.push(s), env: {} as NodeJS.ProcessEnv, secrets: memorySecretStore() };
async function run(...args: string[]): Promise<number | 'serving'> {
  out.length = 0;
  err.length = 0;
  return runCli(['--db', w.ctx.dbPath, ...args], io);
}
const json = <T>(): T => JSON.parse(out.join('')) as T;

describe('latchkey review', () => {
  let id = 0;
  it('create from flags, preview, launch, show, list, items — JSON with the contract names', async () => {
    expect(await run('review', 'create', '--name', 'Engineering', '--group', group.groupName, '--connection', 'Okta', '--reviewer', 'manager', '--fallback', 'Sec@Example.com', '--due', '2099-01-01', '--default', 'revoke', '--json')).toBe(0);
    const created = json<CampaignView>();
    expect(created).toMatchObject({ status: 'draft', name: 'Engineering', dueAt: '2099-01-01', definition: { defaultOutcome: 'revoke', reviewers: { fallback: 'sec@example.com', stage1: { kind: 'manager' } }, scope: { connectionIds: [w.okta.id], groups: [{ connectionId: w.okta.id, groupId: group.groupId }] } } });
    id = created.id;
    expect(await run('review', 'preview', String(id), '--json')).toBe(0);
    const p = json<CampaignPreview>();
    expect(p.total).toBe(group.members);
    expect(Object.keys(p).sort()).toEqual(['byApp', 'byConnection', 'byRecommendation', 'byReviewer', 'stale', 'topReviewers', 'total', 'warnings']);
    expect(await run('review', 'launch', String(id), '--json')).toBe(0);
    expect(json<CampaignView>()).toMatchObject({ status: 'active', launchedChannel: 'cli', population: { count: group.members } });
    expect(await run('review', 'show', `#${id}`)).toBe(0);
    expect(out.join('')).toMatch(new RegExp(`population: ${group.members} items, SHA-256 [0-9a-f]{64}`));
    expect(await run('review', 'list', '--json')).toBe(0);
    expect(json<CampaignSummary[]>().map((c) => [c.id, c.status, c.items])).toEqual([[id, 'active', group.members]]);
    expect(await run('review', 'items', String(id), '--json')).toBe(0);
    const all = json<Page<ReviewItemRow>>();
    expect(all.total).toBe(group.members);
    const reviewer = all.rows[0]?.reviewer as string;
    expect(await run('review', 'items', String(id), '--reviewer', reviewer, '--json')).toBe(0);
    expect(json<Page<ReviewItemRow>>().rows.every((r) => r.reviewer === reviewer)).toBe(true);
    expect(await run('review', 'items', String(id), '--recommendation', 'revoke', '--decision', 'undecided', '--json')).toBe(0);
    expect(json<Page<ReviewItemRow>>().rows.every((r) => r.recommendation === 'revoke' && r.decision === null)).toBe(true);
  });

  it('reads the scope from a file, and names what is wrong in it', async () => {
    const file = path.join(dir, 'scope.json');
    fs.writeFileSync(file, JSON.stringify({ groups: [{ connectionId: w.okta.id, groupId: group.groupId }], people: { statuses: ['ACTIVE'] } }));
    expect(await run('review', 'create', '--name', 'From file', '--scope-file', file, '--reviewer', 'a@example.com,b@example.com', '--fallback', 'sec@example.com', '--json')).toBe(0);
    expect(json<CampaignView>().definition).toMatchObject({ scope: { people: { statuses: ['ACTIVE'] } }, reviewers: { stage1: { kind: 'named', named: ['a@example.com', 'b@example.com'] } } });
    fs.writeFileSync(file, JSON.stringify({ groups: [{ connectionId: 'x' }] }));
    expect(await run('review', 'create', '--name', 'Bad', '--scope-file', file, '--reviewer', 'manager', '--fallback', 'sec@example.com')).toBe(1);
    expect(err.join('')).toMatch(/--scope-file .*scope\.json: groups\.0\.connectionId/);
    expect(await run('review', 'create', '--name', 'No reviewer', '--group', group.groupName, '--fallback', 'sec@example.com')).toBe(2);
    expect(await run('review', 'create', '--name', 'Past', '--group', group.groupName, '--reviewer', 'manager', '--fallback', 'sec@example.com', '--due', '2001-01-01')).toBe(1);
    expect(err.join('')).toMatch(/due date 2001-01-01 is not in the future/);
    expect(await run('review', 'launch', String(id))).toBe(1);
    expect(err.join('')).toMatch(/only a draft can be launched/);
  });

  it('on --read-only: list, show, preview and items run; launch is refused before the file is opened', async () => {
    expect(await run('--read-only', 'review', 'items', String(id), '--json')).toBe(0);
    expect(await run('--read-only', 'review', 'list')).toBe(0);
    expect(await run('--read-only', 'review', 'launch', String(id))).toBe(1);
    expect(err.join('')).toMatch(/"review launch" changes the workspace/);
  });
});
