// Which groups a full Okta sync asks for owners (one request each, so
// bounded), and the directory lookup's rules: inactive owners kept with
// their status, a group owner standing for its members, owners missing from
// the snapshot left out, only the live generation, one connection at a time.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../electron/engine/db/database.js';
import { getGroup } from '../../electron/engine/directory/groups.js';
import { groupOwners } from '../../electron/engine/directory/snapshot-lookups.js';
import { dropConnectionSnapshot } from '../../electron/engine/sync/live-snapshot.js';
import { chooseOwnerGroups, OWNERS_ALL_GROUPS, OWNERS_MAX_GROUPS } from '../../electron/engine/sync/group-owners.js';
import { tempDir } from '../helpers/tmp.js';

const ids = (n: number, prefix = 'g'): string[] => Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(5, '0')}`);

describe('chooseOwnerGroups', () => {
  it(`asks about every group up to ${OWNERS_ALL_GROUPS} groups, saying nothing`, () => {
    const all = ids(OWNERS_ALL_GROUPS);
    expect(chooseOwnerGroups(all, new Set(), new Set())).toEqual({ groupIds: all, note: null });
  });

  it('above that, only app-assigned and catalog-mapped stored groups, mapped first, and the note says how many were not asked', () => {
    const all = ids(OWNERS_ALL_GROUPS + 1);
    const assigned = new Set(['g00003', 'g00010', 'not-stored']);
    const mapped = new Set(['g00400', 'g00010']);
    const choice = chooseOwnerGroups(all, assigned, mapped);
    expect(choice.groupIds).toEqual(['g00010', 'g00400', 'g00003']);
    expect(choice.note).toBe(`group owners read for 3 app-assigned or catalog-mapped groups of ${OWNERS_ALL_GROUPS + 1}; ${OWNERS_ALL_GROUPS + 1 - 3} not asked`);
  });

  it(`never asks about more than ${OWNERS_MAX_GROUPS} groups`, () => {
    const all = ids(OWNERS_MAX_GROUPS * 2);
    const choice = chooseOwnerGroups(all, new Set(all.slice(10)), new Set(all.slice(0, 5)));
    expect(choice.groupIds.length).toBe(OWNERS_MAX_GROUPS);
    expect(choice.groupIds.slice(0, 5)).toEqual(all.slice(0, 5));
    expect(choice.note).toContain(`capped at ${OWNERS_MAX_GROUPS}`);
  });
});

describe('groupOwners', () => {
  const db = openDatabase(path.join(tempDir(), 'owners.latchkey'));
  db.exec(`
    INSERT INTO connections (id,name,kind,base_url,auth_type,created_at,updated_at,live_gen) VALUES (1,'o','okta','https://x.okta.com','token','t','t',2), (2,'p','okta','https://y.okta.com','token','t','t',1);
    INSERT INTO identities (connection_id, gen, id, login, email, display_name, status) VALUES
      (1, 2, 'u1', 'ada', 'ada@x.example', 'Ada Lovelace', 'ACTIVE'),
      (1, 2, 'u2', 'bob', 'bob@x.example', 'Bob Byron', 'SUSPENDED'),
      (1, 2, 'u3', 'cy', NULL, 'Cy Young', 'ACTIVE'),
      (1, 2, 'u4', 'di', 'di@x.example', 'Di Ng', 'DEPROVISIONED'),
      (1, 1, 'u9', 'old', 'old@x.example', 'Old Gen', 'ACTIVE'),
      (2, 1, 'u1', 'other', 'other@y.example', 'Other Org', 'ACTIVE');
    INSERT INTO groups (connection_id, gen, id, name, type, managed_by) VALUES
      (1, 2, 'g1', 'eng', 'OKTA_GROUP', 'direct'), (1, 2, 'admins', 'admins', 'OKTA_GROUP', 'direct'), (1, 2, 'g2', 'none', 'OKTA_GROUP', 'direct');
    INSERT INTO memberships (connection_id, gen, group_id, identity_id) VALUES (1, 2, 'admins', 'u3'), (1, 2, 'admins', 'u1'), (1, 1, 'admins', 'u9');
    INSERT INTO group_owners (connection_id, gen, group_id, owner_id, owner_type) VALUES
      (1, 2, 'g1', 'u2', 'user'), (1, 2, 'g1', 'u1', 'user'), (1, 2, 'g1', 'admins', 'group'), (1, 2, 'g1', 'u-gone', 'user'),
      (1, 1, 'g1', 'u9', 'user'), (1, 2, 'g3', 'u4', 'user'), (2, 1, 'g9', 'u1', 'user');
  `);

  it('lists user owners and the members of an owning group once each, by name, with status and e-mail; unknown owners left out', () => {
    expect(groupOwners(db, 1, 'g1')).toEqual([
      { identityId: 'u1', email: 'ada@x.example', name: 'Ada Lovelace', status: 'ACTIVE' },
      { identityId: 'u2', email: 'bob@x.example', name: 'Bob Byron', status: 'SUSPENDED' },
      { identityId: 'u3', email: null, name: 'Cy Young', status: 'ACTIVE' },
    ]);
  });

  it('keeps a deactivated sole owner (the caller decides on a fallback), and gives [] for a group without owners or of another connection', () => {
    expect(groupOwners(db, 1, 'g3')).toEqual([{ identityId: 'u4', email: 'di@x.example', name: 'Di Ng', status: 'DEPROVISIONED' }]);
    expect(groupOwners(db, 1, 'g2')).toEqual([]);
    expect(groupOwners(db, 1, 'g9')).toEqual([]);
    expect(groupOwners(db, 2, 'g9')).toEqual([{ identityId: 'u1', email: 'other@y.example', name: 'Other Org', status: 'ACTIVE' }]);
  });

  it("the Directory's group detail carries the same owners", () => {
    expect(getGroup(db, 1, 'g1').owners).toEqual(groupOwners(db, 1, 'g1'));
    expect(getGroup(db, 1, 'g2').owners).toEqual([]);
  });

  it("a removed connection's owner rows go with its other link rows", () => {
    dropConnectionSnapshot(db, 2);
    expect(db.prepare('SELECT count(*) FROM group_owners WHERE connection_id = 2').pluck().get()).toBe(0);
    expect(groupOwners(db, 1, 'g3')).toHaveLength(1);
  });
});
