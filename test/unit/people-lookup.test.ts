// The people search of "New request" and "Acting as": one option per person
// across IdPs (never one per account), standing for an account that can
// receive access, found through any of the person's accounts.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BeneficiaryOption } from '../../shared/contract-requests.js';
import { refreshCorrelation } from '../../electron/engine/directory/correlation.js';
import { resolveBeneficiary, searchBeneficiaries } from '../../electron/engine/directory/people-lookup.js';
import { createTempWorkspace, seedConnection, type TempWorkspace } from '../fixtures/seed-snapshot.js';

let ws: TempWorkspace;
let okta: number;
let entra: number;
beforeEach(() => {
  ws = createTempWorkspace();
  okta = seedConnection(ws.db, {
    name: 'Acme Okta',
    kind: 'okta',
    staleGeneration: true,
    users: [
      { id: 'o-ada', login: 'ada@acme.example', email: 'ada@acme.example', displayName: 'Ada Lovelace', title: 'Engineer', employeeType: 'employee', managerId: 'o-grace' },
      { id: 'o-grace', login: 'grace@acme.example', email: 'grace@acme.example', displayName: 'Grace Hopper' },
      { id: 'o-alan', login: 'alan@acme.example', email: 'alan@acme.example', displayName: 'Alan Turing', status: 'DEPROVISIONED' },
      { id: 'o-linus', login: 'linus@acme.example', email: 'linus@acme.example', displayName: 'Linus Torvalds' },
    ],
  });
  entra = seedConnection(ws.db, {
    name: 'Acme Entra',
    kind: 'entra',
    baseUrl: 'https://graph.microsoft.com',
    users: [
      { id: 'e-ada', login: 'ada.l@acme.onmicrosoft.com', email: 'ADA@acme.example', displayName: 'Ada Lovelace' },
      { id: 'e-grace', login: 'grace@acme.onmicrosoft.com', email: 'grace@acme.example', displayName: 'Grace Hopper', status: 'DISABLED' },
      // Left Okta, still in Entra: the Entra account stands for Alan.
      { id: 'e-alan', login: 'alan@acme.onmicrosoft.com', email: 'alan@acme.example', displayName: 'Alan Turing' },
      { id: 'e-cloud', login: 'cloud@acme.onmicrosoft.com', email: null, displayName: 'Ada Cloud' },
    ],
  });
  refreshCorrelation(ws.db);
});
afterEach(() => ws.cleanup());

const search = (text: string, limit = 10): BeneficiaryOption[] => searchBeneficiaries(ws.db, text, limit);
const brief = (o: BeneficiaryOption): string => `${o.name} <${o.connectionId}:${o.identityId}> [${o.accounts.map((a) => `${a.kind}:${a.status}`).join(' ')}]`;

describe('searchBeneficiaries', () => {
  it('lists each person once, with the IdP accounts they have', () => {
    expect(search('ada').map(brief)).toEqual([`Ada Cloud <${entra}:e-cloud> [entra:ACTIVE]`, `Ada Lovelace <${okta}:o-ada> [okta:ACTIVE entra:ACTIVE]`]);
    const [, ada] = search('ada');
    expect(ada).toMatchObject({ email: 'ada@acme.example', title: 'Engineer', employeeType: 'employee', managerName: 'Grace Hopper', connectionName: 'Acme Okta' });
    expect(ada?.accounts.map((a) => a.login)).toEqual(['ada@acme.example', 'ada.l@acme.onmicrosoft.com']);
  });

  it('finds a person through any of their accounts, and only once', () => {
    expect(search('acme.onmicrosoft.com ada.l').map(brief)).toEqual([`Ada Lovelace <${okta}:o-ada> [okta:ACTIVE entra:ACTIVE]`]);
    expect(search('@acme').map((o) => o.name)).toEqual(['Ada Cloud', 'Ada Lovelace', 'Alan Turing', 'Grace Hopper', 'Linus Torvalds']);
  });

  it('stands for an account that can receive access, and leaves out people without one', () => {
    // Alan left Okta: his Entra account stands for him; both accounts are shown.
    expect(search('alan').map(brief)).toEqual([`Alan Turing <${entra}:e-alan> [okta:DEPROVISIONED entra:ACTIVE]`]);
    // Grace's Entra account is disabled: her Okta account stands for her.
    expect(search('grace').map(brief)).toEqual([`Grace Hopper <${okta}:o-grace> [okta:ACTIVE entra:DISABLED]`]);
    const [alan] = search('alan');
    if (!alan) throw new Error('no Alan');
    // What the form sends is an account the request can name.
    expect(resolveBeneficiary(ws.db, { connectionId: alan.connectionId, identityId: alan.identityId })).toMatchObject({ identityId: 'e-alan' });
  });

  it('counts the limit in people, not accounts', () => {
    expect(search('', 3).map((o) => o.name)).toEqual(['Ada Cloud', 'Ada Lovelace', 'Alan Turing']);
    expect(search('a', 2).map((o) => o.name)).toEqual(['Ada Cloud', 'Ada Lovelace']);
  });

  it('matches one or two characters at the start of a name, login or e-mail', () => {
    expect(search('li').map((o) => o.name)).toEqual(['Linus Torvalds']);
    expect(search('to').map((o) => o.name)).toEqual([]);
    expect(search('nobody')).toEqual([]);
  });
});
