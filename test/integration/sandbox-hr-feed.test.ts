// The sandbox's HR feed: the same people as its Okta and Entra tenants (same
// employee ids, e-mails, departments, managers), the same files for the same
// seed, the dated events the joiner/mover/leaver work needs, and the
// `latchkey sandbox` JSON line naming the files it wrote.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeHrFeed } from '../../electron/cli/sandbox-command.js';
import { parseCsv } from '../../electron/engine/csv.js';
import { HR_CSV_COLUMNS } from '../../electron/sandbox/hr-feed.js';
import { sandboxInfoLine, startSandbox, type Sandbox } from '../../electron/sandbox/sandbox.js';
import { tempDir } from '../helpers/tmp.js';

const dir = tempDir('latchkey-sandbox-hr-');
let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ users: 400, seed: 9 });
});
afterAll(async () => {
  await sandbox.close();
});

type Event = { event_id: string; type: string; timestamp: string; effective_date: string; employee: Record<string, string | null> };
const DAY = 86_400_000;

describe('the sandbox HR feed', () => {
  it('lists every person as Okta and Entra hold them', () => {
    const [header, ...rows] = parseCsv(sandbox.hr.csv);
    expect(header).toEqual([...HR_CSV_COLUMNS]);
    expect(rows).toHaveLength(sandbox.org.users.length);
    const directory = sandbox.graphServer?.directory;
    if (!directory) throw new Error('no Graph');
    const byNumber = new Map(sandbox.org.users.map((u) => [u.employeeNumber, u]));
    for (const r of rows) {
      const [id, , , email, department, , , , , end, status, manager] = r;
      const u = byNumber.get(id as string);
      expect(u?.email).toBe(email);
      expect(sandbox.org.departments[u?.department ?? -1]?.name).toBe(department);
      const entra = directory.user(u?.index ?? -1);
      expect(entra).toMatchObject({ employeeId: id, mail: email, department });
      expect(status).toBe(u?.status === 'DEPROVISIONED' ? 'Inactive' : 'Active');
      expect(end !== '').toBe(u?.status === 'DEPROVISIONED');
      const boss = sandbox.org.users[u?.employmentType === 'Partner' ? (u.sponsorIndex) : (u?.managerIndex ?? -1)];
      expect(manager).toBe(boss?.email ?? '');
    }
  });

  it('has hires ahead, movers, leavers, one backdated leaver and a rehire, dated from the anchor', () => {
    const events = sandbox.hr.events.trim().split('\n').map((l) => JSON.parse(l) as Event);
    const byId = new Map(events.map((e) => [e.event_id, e]));
    const anchorDay = new Date(sandbox.org.anchor).toISOString().slice(0, 10);
    const { summary } = sandbox.hr;
    const staged = sandbox.org.users.filter((u) => u.status === 'STAGED');
    expect(summary.hires).toHaveLength(staged.length);
    for (const id of summary.hires) expect((byId.get(id)?.effective_date ?? '') > anchorDay).toBe(true);
    expect(summary.movers).toHaveLength(5);
    expect(summary.leavers).toHaveLength(5);
    for (const id of summary.leavers) expect(byId.get(id)).toMatchObject({ type: 'employee.terminated' });
    const late = byId.get(summary.backdatedLeaver);
    expect(late).toMatchObject({ type: 'employee.terminated', effective_date: new Date(sandbox.org.anchor - 3 * DAY).toISOString().slice(0, 10) });
    expect((late?.timestamp ?? '') > anchorDay).toBe(true);
    const rehired = sandbox.org.users.find((u) => u.employeeNumber === byId.get(summary.rehire ?? '')?.employee.employee_id);
    expect(rehired?.status).toBe('DEPROVISIONED');
    // Arrival order is by timestamp.
    expect(events.map((e) => e.timestamp)).toEqual(events.map((e) => e.timestamp).sort());
  });

  it('is the same for the same seed, and the sandbox line names the files it wrote', async () => {
    const again = await startSandbox({ users: 400, seed: 9, graph: false, jira: false });
    try {
      expect(again.hr.csv).toBe(sandbox.hr.csv);
      expect(again.hr.events).toBe(sandbox.hr.events);
    } finally {
      await again.close();
    }
    const files = writeHrFeed(sandbox, path.join(dir, 'feed'));
    const line = JSON.parse(sandboxInfoLine(sandbox, files)) as { hr: { csv: string; events: string } };
    expect(line.hr).toEqual({ csv: path.join(dir, 'feed', 'employees.csv'), events: path.join(dir, 'feed', 'hr-events.jsonl') });
    expect(fs.readFileSync(line.hr.csv, 'utf8')).toBe(sandbox.hr.csv);
    expect(fs.readFileSync(line.hr.events, 'utf8')).toBe(sandbox.hr.events);
    expect(Object.keys(JSON.parse(sandboxInfoLine(sandbox)) as object)).not.toContain('hr');
  });
});
