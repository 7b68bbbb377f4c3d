// The sandbox organisation's HR feed (issue 13): what its HR system would
// export about the same people its Okta and Entra tenants hold (same employee
// numbers, e-mails, departments, titles, offices, managers), and a stream of
// dated HR events in the common webhook form. Deterministic: the same seed
// and size give the same files (dates are days from the org's anchor, the
// start of the day the sandbox started).
//
// - employees.csv, in BambooHR's report columns (`hr import --preset
//   bamboohr`): every person. STAGED accounts are the hires whose start date
//   is still ahead; DEPROVISIONED ones left on the day Okta deactivated them;
//   partners report to their sponsor.
// - hr-events.jsonl, in arrival order: a hire for every STAGED account
//   (start 1–21 days ahead), five movers (new department, title and manager;
//   one already effective), five leavers (3–14 days ahead), one backdated
//   leaver (effective 3 days ago, sent today: "on or after the effective
//   date" must still catch it) and one rehire of a former employee.
import type { Org, OrgUser } from './org-model.js';
import { createRng } from './prng.js';

const DAY = 86_400_000;

export type HrFeed = {
  csv: string;
  events: string;
  /** What the events are, for tests and the demo: event ids by kind. */
  summary: { hires: string[]; movers: string[]; leavers: string[]; backdatedLeaver: string; rehire: string | null };
};

export const HR_CSV_COLUMNS = [
  'Employee #', 'First Name', 'Last Name', 'Work Email', 'Department', 'Job Title', 'Location', 'Employment Status', 'Hire Date', 'Termination Date', 'Status', 'Supervisor Email',
] as const;

const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
const csvCell = (v: string): string => (v.includes(',') || v.includes('"') || v.includes('\n') || v.includes('\r') ? `"${v.replace(/"/g, '""')}"` : v);
/** YYYY-MM-DD per day number, so 100,000 rows format a few thousand dates, not 200,000. */
const dayCache = new Map<number, string>();
const dayOf = (ms: number): string => {
  const d = Math.floor(ms / DAY);
  let s = dayCache.get(d);
  if (s === undefined) {
    s = day(d * DAY);
    dayCache.set(d, s);
  }
  return s;
};

export function generateHrFeed(org: Org): HrFeed {
  const rng = createRng(org.seed, 'hr-feed');
  const anchor = org.anchor;
  const users = org.users.filter((u) => !u.deleted);
  const dept = (u: OrgUser): string => org.departments[u.department]?.name ?? '';
  const city = (u: OrgUser): string => org.locations[u.location]?.city ?? '';
  const managerOf = (u: OrgUser): OrgUser | undefined => org.users[u.employmentType === 'Partner' ? u.sponsorIndex : u.managerIndex];
  const hasReports = new Uint8Array(org.users.length);
  for (const u of users) if (u.managerIndex >= 0) hasReports[u.managerIndex] = 1;

  // --- hires: every STAGED account, start date ahead -------------------------------------------
  const startOf = new Map<number, string>();
  const staged = users.filter((u) => u.status === 'STAGED');
  for (const u of staged) startOf.set(u.index, day(anchor + rng.range(1, 21) * DAY));

  // --- the CSV ------------------------------------------------------------------------------
  const lines = [HR_CSV_COLUMNS.join(',')];
  for (const u of users) {
    const left = u.status === 'DEPROVISIONED';
    const row = [
      u.employeeNumber, u.firstName, u.lastName, u.email, dept(u), u.title, city(u), u.employmentType,
      startOf.get(u.index) ?? dayOf(u.created), left ? dayOf(u.statusChanged ?? anchor - DAY) : '', left ? 'Inactive' : 'Active', managerOf(u)?.email ?? '',
    ];
    let line = '';
    for (let i = 0; i < row.length; i++) line += (i === 0 ? '' : ',') + csvCell(row[i] as string);
    lines.push(line);
  }

  // --- events ---------------------------------------------------------------------------------
  type Ev = { event_id: string; type: string; timestamp: string; effective_date: string; employee: Record<string, string | null> };
  const events: Ev[] = [];
  let seq = 0;
  const idOf = (): string => `evt_${org.seed}_${String(++seq).padStart(4, '0')}`;
  const ident = (u: OrgUser): Record<string, string | null> => ({ employee_id: u.employeeNumber, email: u.email });
  const at = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');
  const summary: HrFeed['summary'] = { hires: [], movers: [], leavers: [], backdatedLeaver: '', rehire: null };

  for (const u of staged) {
    const id = idOf();
    summary.hires.push(id);
    events.push({
      event_id: id,
      type: 'employee.hired',
      timestamp: at(anchor - rng.range(1, 10) * DAY + rng.range(9, 17) * 3_600_000),
      effective_date: startOf.get(u.index) as string,
      employee: { ...ident(u), name: `${u.firstName} ${u.lastName}`, department: dept(u), title: u.title, location: city(u), employment_type: u.employmentType, manager_email: managerOf(u)?.email ?? null },
    });
  }
  // People who can move or leave without breaking the demo: active employees with no reports, not the API token owners.
  const movable = users.filter((u) => u.status === 'ACTIVE' && u.employmentType === 'Employee' && !hasReports[u.index] && u.index !== org.admins.superAdmin && u.index !== org.admins.readOnlyAdmin && u.index !== 0);
  const taken = new Set<number>();
  const take = (): OrgUser | undefined => {
    for (let tries = 0; tries < 50 && movable.length > 0; tries++) {
      const u = rng.pick(movable);
      if (!taken.has(u.index)) {
        taken.add(u.index);
        return u;
      }
    }
    return undefined;
  };
  const managersByDept: OrgUser[][] = org.departments.map(() => []);
  for (const m of users) if (m.status === 'ACTIVE' && hasReports[m.index]) managersByDept[m.department]?.push(m);
  for (let i = 0; i < 5; i++) {
    const u = take();
    if (!u) break;
    const others = org.departments.map((_, d) => d).filter((d) => d !== u.department && d !== 0 && (managersByDept[d]?.length ?? 0) > 0);
    if (others.length === 0) break;
    const d = rng.pick(others);
    const newDept = org.departments[d];
    const manager = rng.pick(managersByDept[d] as OrgUser[]);
    const id = idOf();
    summary.movers.push(id);
    events.push({
      event_id: id,
      type: 'employee.updated',
      timestamp: at(anchor - DAY + rng.range(9, 17) * 3_600_000),
      // The first mover is already effective (yesterday); the others move within the next ten days.
      effective_date: day(anchor + (i === 0 ? -1 : rng.range(1, 10)) * DAY),
      employee: { ...ident(u), department: newDept?.name ?? '', title: rng.pick(newDept?.roles ?? [u.title]), manager_email: manager.email },
    });
  }
  for (let i = 0; i < 5; i++) {
    const u = take();
    if (!u) break;
    const id = idOf();
    summary.leavers.push(id);
    events.push({ event_id: id, type: 'employee.terminated', timestamp: at(anchor - rng.range(1, 5) * DAY + 10 * 3_600_000), effective_date: day(anchor + rng.range(3, 14) * DAY), employee: ident(u) });
  }
  const late = take();
  if (late) {
    const id = idOf();
    summary.backdatedLeaver = id;
    // Left three days ago; HR entered it only this morning.
    events.push({ event_id: id, type: 'employee.terminated', timestamp: at(anchor + 8 * 3_600_000), effective_date: day(anchor - 3 * DAY), employee: ident(late) });
  }
  const former = users.find((u) => u.status === 'DEPROVISIONED' && u.employmentType === 'Employee');
  if (former) {
    const id = idOf();
    summary.rehire = id;
    events.push({
      event_id: id,
      type: 'employee.hired',
      timestamp: at(anchor - 2 * DAY + 11 * 3_600_000),
      effective_date: day(anchor + 7 * DAY),
      employee: { ...ident(former), name: `${former.firstName} ${former.lastName}`, department: dept(former), title: former.title, location: city(former), employment_type: 'Employee', manager_email: managerOf(former)?.email ?? null },
    });
  }
  events.sort((a, b) => (a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : a.event_id < b.event_id ? -1 : 1));
  return { csv: `${lines.join('\r\n')}\r\n`, events: events.map((e) => `${JSON.stringify(e)}\n`).join(''), summary };
}
