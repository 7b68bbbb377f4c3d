// "Stale" (an ACTIVE account with no sign-in for 90 days) at the exact
// cutoff, on a fixed clock: the dashboard's count and the console's badge.
// Both were tested only well past the edge (89 and 91 days; Dec 2024 against
// June 2025), so a `<` / `<=` flip at the cutoff went unnoticed (issue 9).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dashboardSummary, staleCutoff } from '../../electron/engine/directory/dashboard.js';
import { refreshCorrelation } from '../../electron/engine/directory/correlation.js';
import { isStale } from '../../renderer/src/lib/format.js';
import { createTempWorkspace, seedConnection, type TempWorkspace } from '../fixtures/seed-snapshot.js';

const DAY = 86_400_000;
/** A whole minute: the dashboard rounds its clock down to the minute. */
const NOW = new Date('2025-06-01T00:00:00.000Z');
const CUTOFF = new Date(NOW.getTime() - 90 * DAY);
const iso = (d: Date, ms = 0): string => new Date(d.getTime() + ms).toISOString();

let ws: TempWorkspace;
beforeEach(() => {
  ws = createTempWorkspace('latchkey-stale-');
  seedConnection(ws.db, {
    name: 'Okta',
    users: [
      { id: 'o-edge', email: 'edge@acme.example', lastLogin: iso(CUTOFF) },
      { id: 'o-past', email: 'past@acme.example', lastLogin: iso(CUTOFF, -1) },
      // Two people with an Entra account too (matched by employee number): their Okta sign-in is old.
      { id: 'o-linked-edge', email: 'le@acme.example', employeeNumber: 'E1', lastLogin: '2024-01-01T00:00:00.000Z' },
      { id: 'o-linked-past', email: 'lp@acme.example', employeeNumber: 'E2', lastLogin: '2024-01-01T00:00:00.000Z' },
    ],
  });
  seedConnection(ws.db, {
    name: 'Entra',
    kind: 'entra',
    baseUrl: 'https://graph.microsoft.com',
    users: [
      { id: 'e-linked-edge', email: 'le@acme.onmicrosoft.example', employeeNumber: 'E1', lastLogin: iso(CUTOFF) },
      { id: 'e-linked-past', email: 'lp@acme.onmicrosoft.example', employeeNumber: 'E2', lastLogin: iso(CUTOFF, -1) },
    ],
  });
  refreshCorrelation(ws.db, { force: true });
});
afterEach(() => ws.cleanup());

const staleAt = (now: Date): number => dashboardSummary(ws.db, { clock: { now: () => now }, readOnly: false, recentRuns: () => [] }).staleUsers;

describe('stale accounts at the 90-day cutoff', () => {
  it('the cutoff is exactly 90 days before now, in the stored form', () => {
    expect(staleCutoff(NOW)).toBe(iso(CUTOFF));
  });

  it('a sign-in exactly 90 days ago is not stale, 1 ms earlier is; the same for a sign-in on the person\'s other account', () => {
    // o-past, and the person whose newest sign-in (on Entra) is 1 ms past the cutoff.
    expect(staleAt(NOW)).toBe(2);
    // Six accounts, four people: the linked accounts count once.
    expect(dashboardSummary(ws.db, { clock: { now: () => NOW }, readOnly: false, recentRuns: () => [] }).users).toBe(4);
  });

  it('counts against the minute the clock is in (rounded down), not the millisecond', () => {
    expect(staleAt(new Date(NOW.getTime() + 59_999))).toBe(2);
    expect(staleAt(new Date(NOW.getTime() + 60_000))).toBe(4);
  });

  it("the console's badge: exactly 90 days is not stale, 91 days is", () => {
    const now = NOW.getTime();
    expect(isStale(iso(CUTOFF), now)).toBe(false);
    expect(isStale(iso(CUTOFF, -DAY), now)).toBe(true);
  });
});
