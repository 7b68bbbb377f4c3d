// The launch's cheap forms hold what the slow ones held: the reasons JSON
// built by concatenation is exactly what json_object would build (valid,
// minified, every text as written); the codes form (reason-codes.ts) of the
// same facts reads back as that JSON byte for byte, and its reason filter
// finds the same items; the population hash's order check compares strings
// as SQLite's BINARY collation does.
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { compareUtf8 } from '../../electron/engine/reviews/population-proof.js';
import { decodeReasons, reasonFilterSql, reasonsJson, sameReasons } from '../../electron/engine/reviews/reason-codes.js';
import { recommendationParams, recommendationSql } from '../../electron/engine/reviews/recommendations.js';
import { RECOMMENDATION_REASONS, reviewThresholdsInput } from '../../shared/contract-reviews.js';

const defaultThresholds = reviewThresholdsInput.parse({});

describe('reasons JSON', () => {
  it('is the minified JSON json_object builds, with every reason when all hold', () => {
    const db = new Database(':memory:');
    const now = new Date('2026-03-02T10:00:00.000Z');
    const sql = recommendationSql({
      status: 'r.status',
      lastLogin: 'r.last_login',
      created: 'r.created',
      grantId: 'r.grant_id',
      expiredGrant: 'r.expired',
      employmentType: 'r.type',
      endDate: 'r.end_date',
      peerSize: 'r.peer_size',
      peerHolders: 'r.peer_holders',
      moved: 'r.moved',
      risk: 'r.risk',
      recentRequest: 'r.recent',
    });
    const row = `SELECT 'SUSPENDED' AS status, '2025-01-01T00:00:00.000Z' AS last_login, '2024-01-01T00:00:00.000Z' AS created, NULL AS grant_id, 0 AS expired,
      'Contractor' AS type, '2026-01-31T00:00:00.000Z' AS end_date, 40 AS peer_size, 1 AS peer_holders, 'department,manager' AS moved, 'critical' AS risk, 77 AS recent`;
    const params = recommendationParams(defaultThresholds, now);
    const { reasons, same } = db.prepare(`SELECT ${sql.reasons} AS reasons, json(${sql.reasons}) = ${sql.reasons} AS same FROM (${row}) r`).get(params) as { reasons: string; same: number };
    expect(same).toBe(1);
    const parsed = JSON.parse(reasons) as { code: string; text: string }[];
    expect(parsed.map((r) => r.code)).toEqual(['account-inactive', 'no-sign-in', 'outside-process', 'past-end-date', 'peer-outlier', 'moved-since-grant', 'high-risk', 'recently-approved']);
    expect(parsed.find((r) => r.code === 'moved-since-grant')?.text).toBe('the department and manager changed since the access was granted');
    expect(parsed.find((r) => r.code === 'past-end-date')?.text).toBe('contractor past their end date (2026-01-31)');
    const none = db.prepare(`SELECT ${sql.reasons} FROM (SELECT 'ACTIVE' AS status, '${now.toISOString()}' AS last_login, NULL AS created, 5 AS grant_id, 0 AS expired, NULL AS type, NULL AS end_date, NULL AS peer_size, NULL AS peer_holders, NULL AS moved, 'low' AS risk, NULL AS recent) r`).pluck().get(params);
    expect(none).toBe('[]');
  });
});

const SQL_OVER_R = recommendationSql({
  status: 'r.status',
  lastLogin: 'r.last_login',
  created: 'r.created',
  grantId: 'r.grant_id',
  expiredGrant: 'r.expired',
  employmentType: 'r.type',
  endDate: 'r.end_date',
  peerSize: 'r.peer_size',
  peerHolders: 'r.peer_holders',
  moved: 'r.moved',
  risk: 'r.risk',
  recentRequest: 'r.recent',
});

describe('reasons in the codes form', () => {
  it('read back as the JSON form of the same facts, byte for byte, over every kind of row (and their filters agree)', () => {
    const db = new Database(':memory:');
    const now = new Date('2026-03-02T10:00:00.000Z');
    const ago = (days: number): string => new Date(now.getTime() - days * 86_400_000).toISOString();
    const choices = {
      status: ['ACTIVE', 'SUSPENDED', 'DEPROVISIONED', 'DISABLED', 'STAGED'],
      last_login: [null, ago(1), ago(30), ago(45), ago(90), ago(400)],
      created: [null, ago(3), ago(14), ago(900)],
      grant_id: [null, 5],
      expired: [0, 1, null],
      type: [null, 'Contractor', 'PARTNER', 'Employee'],
      end_date: [null, ago(2), ago(-30)],
      peer: [[null, null], [40, 1], [40, 4], [40, 3], [4, 0], [5, 0]],
      moved: [null, 'department', 'manager', 'manager,department'],
      risk: [null, 'high', 'critical', 'low'],
      recent: [null, 77],
    } as const;
    // A seeded walk over the combinations (every value of every input appears many times).
    let seed = 11;
    const pick = <T>(xs: readonly T[]): T => {
      seed = (seed * 48_271) % 2_147_483_647;
      return xs[seed % xs.length] as T;
    };
    db.exec('CREATE TABLE r (status, last_login, created, grant_id, expired, type, end_date, peer_size, peer_holders, moved, risk, recent)');
    const insert = db.prepare('INSERT INTO r VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
    for (let k = 0; k < 3000; k++) {
      const [size, holders] = pick(choices.peer);
      insert.run(pick(choices.status), pick(choices.last_login), pick(choices.created), pick(choices.grant_id), pick(choices.expired), pick(choices.type), pick(choices.end_date), size, holders, pick(choices.moved), pick(choices.risk), pick(choices.recent));
    }
    const seen = new Set<string>();
    for (const thresholds of [defaultThresholds, reviewThresholdsInput.parse({ peerPercent: 7.5, inactiveLookDays: 45, inactiveRevokeDays: 400, recentApprovalDays: 7 })]) {
      const params = recommendationParams(thresholds, now);
      const rows = db.prepare(`SELECT ${SQL_OVER_R.reasons} AS json, ${SQL_OVER_R.reasonCodes} AS codes FROM r`).all(params) as { json: string; codes: string }[];
      for (const { json, codes } of rows) {
        expect(codes.startsWith('~')).toBe(true);
        expect(reasonsJson(codes)).toBe(json);
        expect(decodeReasons(codes)).toEqual(JSON.parse(json));
        expect(sameReasons(codes, json)).toBe(true);
        expect(codes.length).toBeLessThan(json.length);
        for (const r of decodeReasons(codes)) seen.add(r.code);
      }
      // The filter finds the same rows in either form, for every code.
      for (const code of RECOMMENDATION_REASONS) {
        const [j, c] = [reasonFilterSql('json', 'reason', code), reasonFilterSql('codes', 'reason', code)];
        const both = db
          .prepare(`SELECT sum(${j.sql}), sum(${c.sql}), sum(instr(json, '"code":"${code}"') > 0) FROM (SELECT ${SQL_OVER_R.reasons} AS json, ${SQL_OVER_R.reasonCodes} AS codes FROM r)`)
          .raw()
          .get({ ...params, ...j.params }) as number[];
        expect(both[0], code).toBe(both[2]);
        expect(both[1], code).toBe(both[2]);
      }
    }
    // Every reason (and the empty list) came up.
    expect([...seen].sort()).toEqual([...RECOMMENDATION_REASONS].sort());
    expect(decodeReasons('~')).toEqual([]);
    expect(reasonsJson('~')).toBe('[]');
  });

  it('refuses what is neither form, and a codes value it cannot read', () => {
    for (const bad of ['', 'x', '~q1', '~n90', '~a', '~osuspended']) expect(() => decodeReasons(bad), bad).toThrow();
    expect(sameReasons('~o', '[{"code":"outside-process","text":"no grant behind this membership: access held outside the process"}]')).toBe(true);
    expect(sameReasons('~o', '[]')).toBe(false);
  });
});

describe('compareUtf8', () => {
  it('orders like the UTF-8 bytes (SQLite BINARY), surrogates after U+E000–U+FFFF', () => {
    const xs = ['', 'a', 'A', 'ab', 'a\u0000', '00u1', '00u10', 'é', '\uE000', '\uFFFF', '\u{10000}', '\u{1F600}', 'z\u{10000}', 'z\uFFFF'];
    for (const a of xs) {
      for (const b of xs) {
        expect(Math.sign(compareUtf8(a, b)), `${JSON.stringify(a)} vs ${JSON.stringify(b)}`).toBe(Math.sign(Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'))));
      }
    }
  });
});
