// Migration 4: the Directory's read model and its search index.
//
// Why: at 100k people over 200k accounts, every people-list query computed
// per row what the row does not store (is this account its person's first?
// how many groups does the person have? who is the manager?) and search was
// a LIKE scan: 160-500 ms a query (bench/RESULTS.md). The model stores those
// answers per live account, so a list is one scan of a slim table (or an
// index walk), and an FTS5 trigram index answers substring search.
//
// How it stays right: triggers, in the same transaction as every change and
// whatever path makes it: the full sync's flip of `live_gen` (the model is
// merged with the new generation, writing only what differs), incremental
// sync's in-place patch, provisioning's live membership patch, a connection's
// removal, the correlation's person_links. Rows of a generation that is not
// live (a full sync writing beside the live one, the purge of an old one)
// cost only the trigger's WHEN test. Nothing else writes these tables.
//
// - directory_accounts: one row per account of a live generation. `person_id`
//   is its person_links.person_id, or "<connection id>:<id>" for a person of
//   one account; `linked` says it has a person_links row; `listed` marks the
//   person's first account (the row the people list shows: no link, or the
//   link without matched_by). On listed rows of linked people,
//   `person_group_count` / `person_last_login` are the sum of the group
//   counts / the newest sign-in of the person's accounts; NULL everywhere
//   else (a person of one account: its own values).
// - directory_groups: member count per live group.
// - directory_search: FTS5 trigram over the searched columns, rowid = row.
//   Contentless (the text lives in directory_accounts), with deletes.
// - directory_bulk: holds a row (named by its owner) while a bulk change runs
//   (a flip, a removal, a correlation refresh): the row triggers that keep
//   people (person_links) and their totals then stand aside, and ending the
//   last bulk change (deleting its row) brings both up to date in one
//   set-based pass over the model, writing only the rows that differ. Row by
//   row, a first correlation of 2 x 100k accounts took ~10 times longer.
//
// group_count counts membership rows (as the Directory always did);
// memberships always name a group of the snapshot (the writers add members
// only to groups they hold), so it is also the number of groups listed.

/**
 * One account row per identity of `from` (identities aliased `i`) matching
 * `where`: the counts and names it needs from the same generation, and its
 * person from person_links.
 */
const accountSelect = (from: string, where: string): string => `
  SELECT i.connection_id, i.id, i.display_name, i.login, i.email, i.status, i.department, i.title, i.manager_id,
    (SELECT m.display_name FROM identities m WHERE m.connection_id = i.connection_id AND m.gen = i.gen AND m.id = i.manager_id) AS manager_name,
    i.last_login,
    (SELECT count(*) FROM memberships x WHERE x.connection_id = i.connection_id AND x.gen = i.gen AND x.identity_id = i.id) AS group_count,
    coalesce(l.person_id, i.connection_id || ':' || i.id) AS person_id,
    l.person_id IS NOT NULL AS linked,
    coalesce(l.matched_by IS NULL, 1) AS listed
  FROM ${from}
  LEFT JOIN person_links l ON l.connection_id = i.connection_id AND l.identity_id = i.id
  WHERE ${where}`;

const ACCOUNT_COLUMNS =
  'connection_id, id, display_name, login, email, status, department, title, manager_id, manager_name, last_login, group_count, person_id, linked, listed';

const NOT_BULK = 'NOT EXISTS (SELECT 1 FROM directory_bulk)';

/** The totals of `person` (an SQL expression) on its listed row, when it is linked. */
const personTotals = (person: string): string => `
  UPDATE directory_accounts SET
    person_group_count = (SELECT sum(x.group_count) FROM directory_accounts x WHERE x.person_id = ${person}),
    person_last_login = (SELECT max(x.last_login) FROM directory_accounts x WHERE x.person_id = ${person})
  WHERE person_id = ${person} AND listed = 1 AND linked = 1;`;


// No INSERT OR IGNORE / OR REPLACE in these triggers: a trigger's conflict
// clause gives way to the statement that fired it (an INSERT OR IGNORE INTO
// memberships would turn a REPLACE here into IGNORE), so every insert below
// is written so it cannot conflict.


/** The members of the group `g` (a row alias: NEW, or a groups alias) in its generation. */
const memberCount = (g: string): string =>
  `(SELECT count(*) FROM memberships x WHERE x.connection_id = ${g}.connection_id AND x.gen = ${g}.gen AND x.group_id = ${g}.id)`;

const isLive = (row: 'NEW' | 'OLD'): string => `${row}.gen = (SELECT live_gen FROM connections WHERE id = ${row}.connection_id)`;

/** One live identity's row from its current values (an upsert without REPLACE, which would skip the search index's delete). */
const upsertAccount = `
  UPDATE directory_accounts SET display_name = NEW.display_name, login = NEW.login, email = NEW.email, department = NEW.department,
    title = NEW.title, status = NEW.status, manager_id = NEW.manager_id, last_login = NEW.last_login,
    manager_name = (SELECT m.display_name FROM identities m WHERE m.connection_id = NEW.connection_id AND m.gen = NEW.gen AND m.id = NEW.manager_id)
  WHERE connection_id = NEW.connection_id AND id = NEW.id;
  INSERT INTO directory_accounts (${ACCOUNT_COLUMNS})
    ${accountSelect('identities i', 'i.connection_id = NEW.connection_id AND i.gen = NEW.gen AND i.id = NEW.id')}
      AND NOT EXISTS (SELECT 1 FROM directory_accounts d WHERE d.connection_id = NEW.connection_id AND d.id = NEW.id);
  UPDATE directory_accounts SET manager_name = NEW.display_name
  WHERE connection_id = NEW.connection_id AND manager_id = NEW.id AND manager_name IS NOT NEW.display_name;`;

export const migration004 = {
  version: 4,
  name: 'directory-model',
  sql: `
CREATE TABLE directory_accounts (
  row                INTEGER PRIMARY KEY,
  connection_id      INTEGER NOT NULL,
  id                 TEXT NOT NULL,
  display_name       TEXT NOT NULL,
  login              TEXT NOT NULL,
  email              TEXT,
  status             TEXT NOT NULL,
  department         TEXT,
  title              TEXT,
  manager_id         TEXT,
  manager_name       TEXT,
  last_login         TEXT,
  group_count        INTEGER NOT NULL,
  person_id          TEXT NOT NULL,
  linked             INTEGER NOT NULL,
  listed             INTEGER NOT NULL,
  person_group_count INTEGER,
  person_last_login  TEXT,
  UNIQUE (connection_id, id)
);
CREATE INDEX directory_accounts_by_person ON directory_accounts (person_id);
-- Reports whose manager was renamed or left (the triggers below).
CREATE INDEX directory_accounts_by_manager ON directory_accounts (connection_id, manager_id);
-- The people list by name (the default view) walks this index, at any offset.
-- Partial (listed rows only), like the next two: when a correlation links
-- 100k accounts to people, the rows that stop being listed leave these
-- indexes rather than move inside them, and queries say "d.listed = 1".
CREATE INDEX directory_accounts_people_by_name ON directory_accounts (display_name COLLATE NOCASE, connection_id, id) WHERE listed = 1;
-- The people list by group count (the person's), likewise; ties break by name in the same direction.
CREATE INDEX directory_accounts_people_by_groups
  ON directory_accounts (coalesce(person_group_count, group_count), display_name COLLATE NOCASE, connection_id, id) WHERE listed = 1;
-- Searches of one or two characters match the start of a name, login or e-mail through these three
-- (with the person, which is what a people search wants of each: half the time of a lookup per row).
CREATE INDEX directory_accounts_by_name ON directory_accounts (display_name COLLATE NOCASE, person_id);
CREATE INDEX directory_accounts_by_login ON directory_accounts (login COLLATE NOCASE, person_id);
CREATE INDEX directory_accounts_by_email ON directory_accounts (email COLLATE NOCASE, person_id);
-- Counts and facets read only this. (List queries write +listed: fetching
-- every row through an index costs a lookup per row, a scan does not.)
CREATE INDEX directory_accounts_by_listed ON directory_accounts (status, department) WHERE listed = 1;
CREATE INDEX directory_accounts_by_connection ON directory_accounts (connection_id, status, department);
-- The dashboard's stale people (ACTIVE, no sign-in on any account since the cutoff): a range of this.
CREATE INDEX directory_accounts_people_by_sign_in
  ON directory_accounts (status, coalesce(CASE WHEN linked = 1 THEN person_last_login ELSE last_login END, '')) WHERE listed = 1;

CREATE TABLE directory_groups (
  connection_id INTEGER NOT NULL,
  id            TEXT NOT NULL,
  member_count  INTEGER NOT NULL,
  PRIMARY KEY (connection_id, id)
) WITHOUT ROWID;

CREATE VIRTUAL TABLE directory_search USING fts5(
  display_name, login, email, department, title,
  tokenize = 'trigram', content = '', contentless_delete = 1
);

CREATE TABLE directory_bulk (owner TEXT PRIMARY KEY) WITHOUT ROWID;
-- Ending the last bulk change: every row's person, after a change of
-- person_links (a correlation refresh, a removal; a flip leaves the links
-- alone: the constant test skips those passes before they read anything),
-- then the people's totals, each written only where it differs (and the
-- person and the flags apart: an UPDATE rewrites the index entries of every
-- column it sets, and a first account keeps its person id when linked).
CREATE TRIGGER directory_bulk_end AFTER DELETE ON directory_bulk WHEN ${NOT_BULK} BEGIN
  -- While this runs, the row triggers stand aside too (their totals are recomputed below). Deleting
  -- the marker at the end does not fire this trigger again: SQLite's recursive_triggers is off.
  INSERT INTO directory_bulk (owner) VALUES ('ending');
  UPDATE directory_accounts SET person_id = n.person_id
  FROM (SELECT d.row, coalesce(l.person_id, d.connection_id || ':' || d.id) AS person_id
        FROM directory_accounts d LEFT JOIN person_links l ON l.connection_id = d.connection_id AND l.identity_id = d.id LIMIT -1) AS n
  WHERE OLD.owner <> 'flip' AND directory_accounts.row = n.row AND directory_accounts.person_id IS NOT n.person_id;
  UPDATE directory_accounts SET linked = n.linked, listed = n.listed
  FROM (SELECT d.row, l.person_id IS NOT NULL AS linked, coalesce(l.matched_by IS NULL, 1) AS listed
        FROM directory_accounts d LEFT JOIN person_links l ON l.connection_id = d.connection_id AND l.identity_id = d.id LIMIT -1) AS n
  WHERE OLD.owner <> 'flip' AND directory_accounts.row = n.row
    AND (directory_accounts.linked IS NOT n.linked OR directory_accounts.listed IS NOT n.listed);
  UPDATE directory_accounts SET person_group_count = NULL, person_last_login = NULL
  WHERE (listed = 0 OR linked = 0) AND (person_group_count IS NOT NULL OR person_last_login IS NOT NULL);
  UPDATE directory_accounts SET person_group_count = t.n, person_last_login = t.last
  FROM (SELECT person_id, sum(group_count) AS n, max(last_login) AS last FROM directory_accounts WHERE linked = 1 GROUP BY person_id) AS t
  WHERE directory_accounts.person_id = t.person_id AND directory_accounts.listed = 1 AND directory_accounts.linked = 1
    AND (directory_accounts.person_group_count IS NOT t.n OR directory_accounts.person_last_login IS NOT t.last);
  DELETE FROM directory_bulk WHERE owner = 'ending';
END;

-- The model's own upkeep: the search index, and the person totals on listed rows.
CREATE TRIGGER directory_accounts_insert AFTER INSERT ON directory_accounts BEGIN
  INSERT INTO directory_search (rowid, display_name, login, email, department, title)
    VALUES (NEW.row, NEW.display_name, NEW.login, NEW.email, NEW.department, NEW.title);
END;
CREATE TRIGGER directory_accounts_delete AFTER DELETE ON directory_accounts BEGIN
  DELETE FROM directory_search WHERE rowid = OLD.row;
END;
CREATE TRIGGER directory_accounts_search AFTER UPDATE OF display_name, login, email, department, title ON directory_accounts
WHEN OLD.display_name IS NOT NEW.display_name OR OLD.login IS NOT NEW.login OR OLD.email IS NOT NEW.email
  OR OLD.department IS NOT NEW.department OR OLD.title IS NOT NEW.title BEGIN
  DELETE FROM directory_search WHERE rowid = OLD.row;
  INSERT INTO directory_search (rowid, display_name, login, email, department, title)
    VALUES (NEW.row, NEW.display_name, NEW.login, NEW.email, NEW.department, NEW.title);
END;
CREATE TRIGGER directory_accounts_insert_person AFTER INSERT ON directory_accounts WHEN NEW.linked = 1 AND ${NOT_BULK} BEGIN
  ${personTotals('NEW.person_id')}
END;
CREATE TRIGGER directory_accounts_delete_person AFTER DELETE ON directory_accounts WHEN OLD.linked = 1 AND ${NOT_BULK} BEGIN
  ${personTotals('OLD.person_id')}
END;
-- Who the account belongs to changed: both people's totals from scratch.
CREATE TRIGGER directory_accounts_person AFTER UPDATE OF person_id, linked, listed ON directory_accounts
WHEN (NEW.linked = 1 OR OLD.linked = 1)
  AND (OLD.person_id IS NOT NEW.person_id OR OLD.linked IS NOT NEW.linked OR OLD.listed IS NOT NEW.listed)
  AND ${NOT_BULK} BEGIN
  UPDATE directory_accounts SET person_group_count = NULL, person_last_login = NULL
  WHERE row = NEW.row AND (listed = 0 OR linked = 0) AND (person_group_count IS NOT NULL OR person_last_login IS NOT NULL);
  ${personTotals('NEW.person_id')}
  ${personTotals('OLD.person_id')}
END;
-- A membership more or less (the common live change): the person's total moves by as much.
CREATE TRIGGER directory_accounts_person_groups AFTER UPDATE OF group_count ON directory_accounts
WHEN NEW.linked = 1 AND OLD.group_count IS NOT NEW.group_count AND OLD.person_id IS NEW.person_id AND OLD.linked IS NEW.linked
  AND OLD.listed IS NEW.listed AND ${NOT_BULK} BEGIN
  UPDATE directory_accounts SET person_group_count = person_group_count + (NEW.group_count - OLD.group_count)
  WHERE person_id = NEW.person_id AND listed = 1 AND linked = 1;
END;
-- A sign-in: a newer one is the person's newest; an older one (rare) means looking again.
CREATE TRIGGER directory_accounts_person_login AFTER UPDATE OF last_login ON directory_accounts
WHEN NEW.linked = 1 AND OLD.last_login IS NOT NEW.last_login AND OLD.person_id IS NEW.person_id AND OLD.linked IS NEW.linked
  AND OLD.listed IS NEW.listed AND ${NOT_BULK} BEGIN
  UPDATE directory_accounts SET person_last_login = CASE
      WHEN NEW.last_login IS NOT NULL AND NEW.last_login >= coalesce(OLD.last_login, '') THEN
        CASE WHEN person_last_login IS NULL OR NEW.last_login > person_last_login THEN NEW.last_login ELSE person_last_login END
      ELSE (SELECT max(x.last_login) FROM directory_accounts x WHERE x.person_id = NEW.person_id) END
  WHERE person_id = NEW.person_id AND listed = 1 AND linked = 1;
END;
-- Live identities (incremental sync's upserts and deletions; a full sync's arrive with its flip).
CREATE TRIGGER identities_directory_insert AFTER INSERT ON identities WHEN ${isLive('NEW')} BEGIN
  ${upsertAccount}
END;
CREATE TRIGGER identities_directory_update AFTER UPDATE ON identities WHEN ${isLive('NEW')} BEGIN
  ${upsertAccount}
END;
CREATE TRIGGER identities_directory_delete AFTER DELETE ON identities WHEN ${isLive('OLD')} BEGIN
  DELETE FROM directory_accounts WHERE connection_id = OLD.connection_id AND id = OLD.id;
  UPDATE directory_accounts SET manager_name = NULL WHERE connection_id = OLD.connection_id AND manager_id = OLD.id;
END;

-- Live memberships (incremental sync, provisioning's patch of the live snapshot).
CREATE TRIGGER memberships_directory_insert AFTER INSERT ON memberships WHEN ${isLive('NEW')} BEGIN
  UPDATE directory_accounts SET group_count = group_count + 1 WHERE connection_id = NEW.connection_id AND id = NEW.identity_id;
  UPDATE directory_groups SET member_count = member_count + 1 WHERE connection_id = NEW.connection_id AND id = NEW.group_id;
END;
CREATE TRIGGER memberships_directory_delete AFTER DELETE ON memberships WHEN ${isLive('OLD')} BEGIN
  UPDATE directory_accounts SET group_count = group_count - 1 WHERE connection_id = OLD.connection_id AND id = OLD.identity_id;
  UPDATE directory_groups SET member_count = member_count - 1 WHERE connection_id = OLD.connection_id AND id = OLD.group_id;
END;

-- Live groups.
CREATE TRIGGER groups_directory_insert AFTER INSERT ON groups WHEN ${isLive('NEW')} BEGIN
  UPDATE directory_groups SET member_count = ${memberCount('NEW')} WHERE connection_id = NEW.connection_id AND id = NEW.id;
  INSERT INTO directory_groups (connection_id, id, member_count)
    SELECT NEW.connection_id, NEW.id, ${memberCount('NEW')}
    WHERE NOT EXISTS (SELECT 1 FROM directory_groups WHERE connection_id = NEW.connection_id AND id = NEW.id);
END;
CREATE TRIGGER groups_directory_delete AFTER DELETE ON groups WHEN ${isLive('OLD')} BEGIN
  DELETE FROM directory_groups WHERE connection_id = OLD.connection_id AND id = OLD.id;
END;

-- Who is whose, link by link (refreshCorrelation writes them in a bulk change: see directory_bulk).
CREATE TRIGGER person_links_directory_insert AFTER INSERT ON person_links WHEN ${NOT_BULK} BEGIN
  UPDATE directory_accounts SET person_id = NEW.person_id, linked = 1, listed = NEW.matched_by IS NULL
  WHERE connection_id = NEW.connection_id AND id = NEW.identity_id;
END;
CREATE TRIGGER person_links_directory_update AFTER UPDATE ON person_links WHEN ${NOT_BULK} BEGIN
  UPDATE directory_accounts SET person_id = NEW.person_id, linked = 1, listed = NEW.matched_by IS NULL
  WHERE connection_id = NEW.connection_id AND id = NEW.identity_id;
END;
CREATE TRIGGER person_links_directory_delete AFTER DELETE ON person_links WHEN ${NOT_BULK} BEGIN
  UPDATE directory_accounts SET person_id = connection_id || ':' || id, linked = 0, listed = 1
  WHERE connection_id = OLD.connection_id AND id = OLD.identity_id;
END;

-- A full sync's flip: merge the model with the new live generation, writing
-- only what differs (after a sync where 1% changed: ~1% of the rows, plus
-- the sign-in times that moved).
CREATE TRIGGER connections_directory_flip AFTER UPDATE OF live_gen ON connections WHEN NEW.live_gen IS NOT OLD.live_gen BEGIN
  INSERT INTO directory_bulk (owner) VALUES ('flip');
  DELETE FROM directory_accounts WHERE connection_id = NEW.id
    AND NOT EXISTS (SELECT 1 FROM identities i WHERE i.connection_id = NEW.id AND i.gen = NEW.live_gen AND i.id = directory_accounts.id);
  -- Two passes, each writing only the columns it compares: SQLite rewrites
  -- an index entry for every indexed column an UPDATE sets, changed or not,
  -- and half the rows differ only in their sign-in time. LIMIT -1 makes it
  -- compute each new row once (else the counts would run again for the SET).
  UPDATE directory_accounts SET display_name = n.display_name, login = n.login, email = n.email, department = n.department, title = n.title,
    status = n.status, manager_id = n.manager_id
  FROM (SELECT id, display_name, login, email, department, title, status, manager_id FROM identities
        WHERE connection_id = NEW.id AND gen = NEW.live_gen LIMIT -1) AS n
  WHERE directory_accounts.connection_id = NEW.id AND directory_accounts.id = n.id
    AND (directory_accounts.display_name IS NOT n.display_name OR directory_accounts.login IS NOT n.login OR directory_accounts.email IS NOT n.email
      OR directory_accounts.department IS NOT n.department OR directory_accounts.title IS NOT n.title
      OR directory_accounts.status IS NOT n.status OR directory_accounts.manager_id IS NOT n.manager_id);
  UPDATE directory_accounts SET manager_name = n.manager_name, last_login = n.last_login, group_count = n.group_count
  FROM (${accountSelect('identities i', 'i.connection_id = NEW.id AND i.gen = NEW.live_gen')} LIMIT -1) AS n
  WHERE directory_accounts.connection_id = NEW.id AND directory_accounts.id = n.id
    AND (directory_accounts.manager_name IS NOT n.manager_name OR directory_accounts.last_login IS NOT n.last_login
      OR directory_accounts.group_count IS NOT n.group_count);
  INSERT INTO directory_accounts (${ACCOUNT_COLUMNS})
    ${accountSelect('identities i', 'i.connection_id = NEW.id AND i.gen = NEW.live_gen')}
      AND NOT EXISTS (SELECT 1 FROM directory_accounts d WHERE d.connection_id = NEW.id AND d.id = i.id);
  DELETE FROM directory_groups WHERE connection_id = NEW.id
    AND NOT EXISTS (SELECT 1 FROM groups g WHERE g.connection_id = NEW.id AND g.gen = NEW.live_gen AND g.id = directory_groups.id);
  UPDATE directory_groups SET member_count = n.member_count
  FROM (SELECT g.id, ${memberCount('g')} AS member_count FROM groups g WHERE g.connection_id = NEW.id AND g.gen = NEW.live_gen LIMIT -1) AS n
  WHERE directory_groups.connection_id = NEW.id AND directory_groups.id = n.id AND directory_groups.member_count IS NOT n.member_count;
  INSERT INTO directory_groups (connection_id, id, member_count)
    SELECT g.connection_id, g.id, ${memberCount('g')} FROM groups g
    WHERE g.connection_id = NEW.id AND g.gen = NEW.live_gen
      AND NOT EXISTS (SELECT 1 FROM directory_groups n WHERE n.connection_id = NEW.id AND n.id = g.id);
  DELETE FROM directory_bulk WHERE owner = 'flip';
END;

-- A removed connection: its rows go, and so do the links that named its
-- accounts or people whose first account it held: those accounts are people
-- of their own until the next correlation refresh (which follows a removal)
-- re-links them, rather than vanish from the list behind a gone first account.
CREATE TRIGGER connections_directory_delete AFTER DELETE ON connections BEGIN
  INSERT INTO directory_bulk (owner) VALUES ('removal');
  DELETE FROM person_links WHERE connection_id = OLD.id OR (person_id >= OLD.id || ':' AND person_id < OLD.id || ';');
  DELETE FROM directory_accounts WHERE connection_id = OLD.id;
  DELETE FROM directory_groups WHERE connection_id = OLD.id;
  DELETE FROM directory_bulk WHERE owner = 'removal';
END;

-- A workspace synced before this version: the model of what it holds.
INSERT INTO directory_bulk (owner) VALUES ('migration');
INSERT INTO directory_accounts (${ACCOUNT_COLUMNS})
  ${accountSelect('connections c JOIN identities i ON i.connection_id = c.id AND i.gen = c.live_gen', 'true')};
INSERT INTO directory_groups (connection_id, id, member_count)
  SELECT g.connection_id, g.id, ${memberCount('g')} FROM connections c JOIN groups g ON g.connection_id = c.id AND g.gen = c.live_gen;
DELETE FROM directory_bulk WHERE owner = 'migration';
`,
} as const;
