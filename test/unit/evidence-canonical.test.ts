// The canonical CSV is the auditor's specification of a sheet's hash: these
// pin it byte for byte (quoting, line ends, a leading =, unicode, -0,
// instants, links, normalised text) and check the incremental hasher gives
// the SHA-256 of exactly those bytes.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CanonicalHasher, MAX_CELL_TEXT, canonicalCsv, canonicalField, cellText, csvLine } from '../../electron/engine/evidence/canonical.js';
import type { EvidenceColumn } from '../../electron/engine/evidence/sheet-types.js';

const cols: EvidenceColumn[] = [
  { header: 'Name', type: 'text' },
  { header: 'Count', type: 'integer' },
  { header: 'Granted at (UTC)', type: 'date' },
  { header: 'Active', type: 'boolean' },
  { header: 'Jira', type: 'link' },
];

describe('canonical CSV', () => {
  it('is a header line and a line per row, LF-terminated, quoting only comma, quote and LF', () => {
    const csv = canonicalCsv(cols, [
      ['Ada Lovelace', 3, new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 6)), true, { text: 'ACC-12', link: 'https://jira.example/browse/ACC-12' }],
      ['Smith, "Bob"', -0, null, false, null],
      ['line one\nline two', 0.1, new Date(0), null, ''],
    ]);
    expect(csv).toBe(
      'Name,Count,Granted at (UTC),Active,Jira\n' +
        'Ada Lovelace,3,2026-01-02T03:04:05.006Z,true,ACC-12\n' +
        '"Smith, ""Bob""",0,,false,\n' +
        '"line one\nline two",0.1,1970-01-01T00:00:00.000Z,,\n',
    );
  });

  it('writes a formula-looking text, spaces and tabs as they are, unquoted', () => {
    expect(csvLine(['=HYPERLINK("http://x","y")'].map(canonicalField))).toBe('"=HYPERLINK(""http://x"",""y"")"\n');
    expect(csvLine(['=1+1', '+1', '-2', '@x', '\tt', ' lead ', "it's"].map(canonicalField))).toBe("=1+1,+1,-2,@x,\tt, lead ,it's\n");
  });

  it('keeps unicode as UTF-8 and hashes those bytes', () => {
    const line = csvLine(['Zoë', '山田', '🔑', 'ß'].map(canonicalField));
    expect(line).toBe('Zoë,山田,🔑,ß\n');
    const h = new CanonicalHasher(['a', 'b', 'c', 'd']);
    h.fields(['Zoë', '山田', '🔑', 'ß']);
    expect(h.digest()).toBe(createHash('sha256').update(Buffer.from('a,b,c,d\nZoë,山田,🔑,ß\n', 'utf8')).digest('hex'));
    expect(Buffer.byteLength(line, 'utf8')).toBe(Buffer.from(line).length);
  });

  it('gives numbers in shortest form, -0 as 0, and refuses NaN and infinities', () => {
    expect([42, -0, 0.1 + 0.2, 1e21, -1.5e-7, 2 ** 53].map(canonicalField)).toEqual(['42', '0', '0.30000000000000004', '1e+21', '-1.5e-7', '9007199254740992']);
    expect(() => canonicalField(Number.NaN)).toThrow(/finite/);
    expect(() => canonicalField(Number.POSITIVE_INFINITY)).toThrow(/finite/);
  });

  it('gives instants in UTC with milliseconds, whatever the zone they were made in, and refuses an invalid date', () => {
    expect(canonicalField(new Date('2026-03-29T01:30:00+02:00'))).toBe('2026-03-28T23:30:00.000Z');
    expect(canonicalField(new Date(Date.UTC(1999, 11, 31, 23, 59, 59, 999)))).toBe('1999-12-31T23:59:59.999Z');
    expect(() => canonicalField(new Date('nope'))).toThrow(/invalid date/);
  });

  it('normalises text as a cell holds it: CR LF and CR to LF, XML-illegal characters and DEL to U+FFFD, cut at 32,767', () => {
    expect(cellText('a\r\nb\rc')).toBe('a\nb\nc');
    expect(cellText('x\u0001y\u007fz\u000bw')).toBe('x\uFFFDy\uFFFDz\uFFFDw');
    expect(cellText('lone \uD800 high, pair \uD83D\uDD11 ok, lone \uDC00 low')).toBe('lone \uFFFD high, pair 🔑 ok, lone \uFFFD low');
    expect(cellText('tab\tand\nLF stay')).toBe('tab\tand\nLF stay');
    expect(cellText('x'.repeat(MAX_CELL_TEXT + 5))).toHaveLength(MAX_CELL_TEXT);
    // Never inside a surrogate pair: the pair straddling the limit goes whole.
    const straddle = cellText('x'.repeat(MAX_CELL_TEXT - 1) + '🔑');
    expect(straddle).toBe('x'.repeat(MAX_CELL_TEXT - 1));
    expect(canonicalField('\r=cmd')).toBe('\n=cmd');
    expect(csvLine([canonicalField('a\r\nb')])).toBe('"a\nb"\n');
  });

  it('hashes incrementally to the SHA-256 of the whole CSV, and refuses a row of the wrong width', () => {
    const rows = [
      ['a', 1, null, true, null],
      ['b, c', 2, new Date(Date.UTC(2026, 5, 1)), false, { text: 'K-1', link: 'https://x/K-1' }],
    ] as const;
    const h = CanonicalHasher.of(cols);
    for (const r of rows) h.row(r);
    expect(h.rows).toBe(2);
    expect(h.digest()).toBe(createHash('sha256').update(canonicalCsv(cols, rows), 'utf8').digest('hex'));
    expect(() => CanonicalHasher.of(cols).row(['only one'])).toThrow(/1 cells for 5 columns/);
    // An empty sheet is its header line.
    expect(CanonicalHasher.of(cols).digest()).toBe(createHash('sha256').update('Name,Count,Granted at (UTC),Active,Jira\n').digest('hex'));
  });

  it('gives the running digest of exactly the rows so far, also when the lines waiting for the hash span many buffers', () => {
    // ~200 bytes a row: 1,500 rows are ~300 KB, several of the hasher's 64 KB hand-overs.
    const rows = Array.from({ length: 1500 }, (_, i) => [`person ${i} ${'x'.repeat(180)}`, i, new Date(Date.UTC(2026, 0, 1, 0, 0, i)), i % 2 === 0, null] as const);
    const h = CanonicalHasher.of(cols);
    const checks = [1, 333, 1000, 1499];
    rows.forEach((r, i) => {
      h.row(r);
      if (checks.includes(i + 1)) expect(h.sofar()).toBe(createHash('sha256').update(canonicalCsv(cols, rows.slice(0, i + 1)), 'utf8').digest('hex'));
    });
    expect(h.digest()).toBe(createHash('sha256').update(canonicalCsv(cols, rows), 'utf8').digest('hex'));
  });

  it('returns the canonical fields of the row it hashed', () => {
    expect(CanonicalHasher.of(cols).row(['a\r\nb', -0, new Date(Date.UTC(2026, 5, 1)), false, { text: 'K-1', link: 'https://x/K-1' }])).toEqual(['a\nb', '0', '2026-06-01T00:00:00.000Z', 'false', 'K-1']);
  });

  it('treats null and the empty string alike, and fills missing trailing fields when read back', () => {
    const a = new CanonicalHasher(['x', 'y', 'z']);
    a.row([null, '', 'v']);
    const b = new CanonicalHasher(['x', 'y', 'z']);
    b.fields(['', '', 'v']);
    const c = new CanonicalHasher(['x', 'y', 'z']);
    c.fields(['', '', 'v', '']);
    const d = new CanonicalHasher(['x', 'y', 'z']);
    d.fields(['a']);
    const e = new CanonicalHasher(['x', 'y', 'z']);
    e.row(['a', null, null]);
    expect(a.digest()).toBe(b.digest());
    expect(d.digest()).toBe(e.digest());
    expect(c.rows).toBe(1);
  });
});
