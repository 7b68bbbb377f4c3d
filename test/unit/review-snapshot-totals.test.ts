// The snapshot's own total for a campaign's scope (population.ts snapshotTotals,
// the other side of launch's reconciliation), with and without a manager filter:
// the manager's row is read only when the scope filters on it, and the counts are
// the memberships of the people in scope either way.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { reviewScopeInput } from '../../shared/contract-reviews.js';
import { resolveScope, snapshotTotals } from '../../electron/engine/reviews/population.js';
import { createTempWorkspace, seedConnection, type TempWorkspace } from '../fixtures/seed-snapshot.js';

let ws: TempWorkspace;
let okta: number;

beforeEach(() => {
  ws = createTempWorkspace('latchkey-snapshot-totals-');
  okta = seedConnection(ws.db, {
    name: 'Acme Okta',
    users: [
      { id: 'boss', email: 'Boss@acme.example' },
      { id: 'other', email: 'other@acme.example' },
      { id: 'u1', managerId: 'boss', department: 'Finance' },
      { id: 'u2', managerId: 'boss', department: 'Sales' },
      { id: 'u3', managerId: 'other', department: 'Finance' },
      // A manager id with no account: only a manager filter can drop this one.
      { id: 'u4', managerId: 'gone', department: 'Finance' },
    ],
    groups: [
      { id: 'g1', name: 'one', members: ['u1', 'u2', 'u3', 'u4', 'boss'] },
      { id: 'g2', name: 'two', members: ['u1', 'u3'] },
    ],
    staleGeneration: true,
  });
});
afterEach(() => ws.cleanup());

const totalFor = (people: Record<string, string[]>): number | undefined => snapshotTotals(ws.db, resolveScope(ws.db, reviewScopeInput.parse({ people }))).get(okta);

describe('snapshotTotals', () => {
  it('counts every membership of the people in scope, with or without a manager filter', () => {
    expect(totalFor({})).toBe(7);
    expect(totalFor({ managerEmails: ['boss@acme.example'] })).toBe(3);
    expect(totalFor({ managerEmails: ['OTHER@acme.example', 'boss@acme.example'] })).toBe(5);
    expect(totalFor({ managerEmails: ['nobody@acme.example'] })).toBe(0);
    expect(totalFor({ departments: ['finance'] })).toBe(5);
    expect(totalFor({ departments: ['finance'], managerEmails: ['boss@acme.example'] })).toBe(2);
  });
});
