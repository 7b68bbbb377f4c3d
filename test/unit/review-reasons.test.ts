// The launch's cheap forms hold what the slow ones held: the reasons JSON
// built by concatenation is exactly what json_object would build (valid,
// minified, every text as written), and the population hash's order check
// compares strings as SQLite's BINARY collation does.
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { compareUtf8 } from '../../electron/engine/reviews/population-proof.js';
import { recommendationParams, recommendationSql } from '../../electron/engine/reviews/recommendations.js';
import { reviewThresholdsInput } from '../../shared/contract-reviews.js';

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
