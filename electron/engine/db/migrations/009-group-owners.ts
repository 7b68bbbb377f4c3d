// Migration 9: group owners as the IdPs report them (Okta's Group Owners API,
// Graph's group `owners`), so an access review can send a group's items to
// the group's owner.
//
// Why a snapshot table like memberships: owners are read by the full sync
// with the rest of the directory, so they are generation-stamped the same
// way (a failed sync never disturbs the live owners) and readers use
// cur_group_owners. owner_type says what owns it: a user, or (Okta only) a
// group whose members are the owners. No foreign key, as for memberships:
// rows are bulk-inserted per run and purged with their generation.
export const migration009 = {
  version: 9,
  name: 'group-owners',
  sql: `
CREATE TABLE group_owners (
  connection_id INTEGER NOT NULL,
  gen           INTEGER NOT NULL,
  group_id      TEXT NOT NULL,
  owner_id      TEXT NOT NULL,
  owner_type    TEXT NOT NULL CHECK (owner_type IN ('user', 'group')),
  PRIMARY KEY (connection_id, gen, group_id, owner_id)
) WITHOUT ROWID;

CREATE VIEW cur_group_owners AS
  SELECT o.* FROM group_owners o JOIN connections c ON c.id = o.connection_id AND c.live_gen = o.gen;
`,
} as const;
