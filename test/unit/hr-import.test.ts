// The HR source's reading, without a database: each preset's real export
// columns, every bad row named by its row and column, dates at their edges,
// events in the webhook form, and a person's record coming out the same
// whatever order their events arrive in.
import { describe, expect, it } from 'vitest';
import { readHrCsv } from '../../electron/engine/hr/csv-rows.js';
import { isEventFile, readEventLines } from '../../electron/engine/hr/event-lines.js';
import { foldRecord, parseHrDate, parseTimestamp, statusOn, type FoldEvent, type HrValues } from '../../electron/engine/hr/hr-values.js';
import { parseMapOption } from '../../electron/engine/hr/presets.js';
import { createRng } from '../../electron/sandbox/prng.js';

const csv = (...lines: string[]): string => `${lines.join('\r\n')}\r\n`;

describe('HR CSV presets', () => {
  const expected = {
    employeeId: '100042',
    email: 'ada.lovelace@acme.example',
    department: 'Engineering',
    title: 'Staff Engineer',
    startDate: '2021-03-15',
  };
  it.each([
    ['bamboohr', 'Employee #,First Name,Last Name,Work Email,Department,Job Title,Location,Employment Status,Hire Date,Termination Date,Status,Supervisor Email', '100042,Ada,Lovelace,Ada.Lovelace@acme.example,Engineering,Staff Engineer,London,Full-Time,03/15/2021,,Active,grace@acme.example'],
    ['bamboohr', 'employeeNumber,firstName,lastName,workEmail,department,jobTitle,location,hireDate,terminationDate,status,supervisorEId', '100042,Ada,Lovelace,ada.lovelace@acme.example,Engineering,Staff Engineer,London,2021-03-15,,Active,100001'],
    ['workday', 'Employee_ID,Full_Name,Email,Team_ID,Team_Name,Business_Title,Location,Employee_Type,Manager_ID,Manager_Name,Start_Date,Termination_Date', '100042,Ada Lovelace,ada.lovelace@acme.example,T1,Engineering,Staff Engineer,London,Employee,100001,Grace Hopper,2021-03-15,'],
    ['rippling', 'Employee ID,Legal first name,Legal last name,Work email,Department,Title,Work location,Employment type,Manager - Work email,Start date,End date,Employment status', '100042,Ada,Lovelace,ada.lovelace@acme.example,Engineering,Staff Engineer,London,Salaried FT,grace@acme.example,2021-03-15,,Active'],
    ['hibob', 'work.employeeIdInCompany,root.displayName,root.email,work.department,work.title,work.site,work.startDate,internal.terminationDate,work.reportsToIdInCompany,internal.status,root.id', '100042,Ada Lovelace,ada.lovelace@acme.example,Engineering,Staff Engineer,London,2021-03-15,,100001,Employed,3328823938'],
    ['hibob', 'Employee ID,Display name,Email,Department,Job title,Site,Start date,Termination date,Reports to email,Reports to', '100042,Ada Lovelace,ada.lovelace@acme.example,Engineering,Staff Engineer,London,2021-03-15,,grace@acme.example,Grace Hopper'],
    ['generic', 'employee_id,name,email,department,title,start_date,manager_email', '100042,Ada Lovelace,ada.lovelace@acme.example,Engineering,Staff Engineer,2021-03-15,grace@acme.example'],
  ] as const)('%s reads its own export columns', (preset, header, row) => {
    const r = readHrCsv(csv(header, row), preset, {});
    expect(r.errors).toEqual([]);
    expect(r.count).toBe(1);
    expect(r.rows[0]?.values).toMatchObject({ ...expected, name: 'Ada Lovelace', status: 'active' });
    expect(r.rows[0]?.key).toBe('id:100042');
  });

  it("refuses a column the preset does not know, naming it, unless --map maps or ignores it", () => {
    const text = csv('Employee #,Work Email,Hire Date,Shoe Size', '1,a@x.example,2024-01-02,42');
    const r = readHrCsv(text, 'bamboohr', {});
    expect(r.errors.map((e) => [e.row, e.column])).toEqual([[1, 'Shoe Size']]);
    expect(r.errors[0]?.message).toContain('row 1, column "Shoe Size": unknown column for the bamboohr preset');
    expect(r.rows).toEqual([]);
    expect(readHrCsv(text, 'bamboohr', parseMapOption(['Shoe Size=-'])).errors).toEqual([]);
    expect(readHrCsv(text, 'bamboohr', parseMapOption(['shoe size=location'])).rows[0]?.values.location).toBe('42');
    expect(readHrCsv(text, 'bamboohr', parseMapOption(['Hat=-'])).errors[1]?.message).toContain('--map names a column "hat" the file does not have');
    expect(() => parseMapOption(['Shoe Size=shoe'])).toThrow(/not a field/);
    expect(() => parseMapOption(['Shoe Size'])).toThrow(/COLUMN=FIELD/);
  });

  it('names every bad row with its row number and column, and keeps none of them', () => {
    const r = readHrCsv(
      csv(
        'employee_id,email,start_date,end_date,status,manager_email',
        '1,one@x.example,2024-01-02,,active,', // row 2: good
        '2,two@x.example,,,active,', // row 3: no start date
        '3,three@x.example,2024-02-30,,active,', // row 4: not a date
        '4,four@x.example,2024-01-02,2023-12-31,terminated,', // row 5: ends before it starts
        '5,five@x.example,2024-01-02,,retired,', // row 6: unknown status
        ',,2024-01-02,,active,', // row 7: nobody
        '1,again@x.example,2024-01-02,,active,', // row 8: row 2's person again
        '9,nine@x.example,2024-01-02,,active,boss-at-x', // row 9: manager not an e-mail
      ),
      'generic',
      {},
    );
    expect(r.count).toBe(8);
    expect(r.rows.map((x) => x.row)).toEqual([2]);
    expect(r.errors.map((e) => [e.row, e.column])).toEqual([
      [3, 'start_date'],
      [4, 'start_date'],
      [5, 'end_date'],
      [6, 'status'],
      [7, 'employee_id'],
      [8, 'employee_id'],
      [9, 'manager_email'],
    ]);
    expect(r.errors[0]?.message).toBe('row 3, column "start_date": missing start date (the date the employment takes effect)');
    expect(r.errors[1]?.message).toBe('row 4, column "start_date": "2024-02-30" is not a date (YYYY-MM-DD or MM/DD/YYYY)');
    expect(r.errors[5]?.message).toContain('the same person as row 2');
  });

  it('wants an employee id or e-mail column and a start date column', () => {
    expect(readHrCsv(csv('name,start_date', 'Ada,2024-01-01'), 'generic', {}).errors[0]?.message).toContain('no employee id or e-mail column');
    expect(readHrCsv(csv('email,name', 'a@x.example,Ada'), 'generic', {}).errors[0]?.message).toContain('no start date column');
  });
});

describe('HR dates', () => {
  it('reads calendar dates at their edges and nothing else', () => {
    expect(parseHrDate('2024-02-29')).toBe('2024-02-29');
    expect(parseHrDate('2023-02-29')).toBeNull();
    expect(parseHrDate('1900-02-29')).toBeNull();
    expect(parseHrDate('2000-02-29')).toBe('2000-02-29');
    expect(parseHrDate('2026-12-31')).toBe('2026-12-31');
    expect(parseHrDate('2026-12-32')).toBeNull();
    expect(parseHrDate('2026-13-01')).toBeNull();
    expect(parseHrDate('12/07/2026')).toBe('2026-12-07');
    expect(parseHrDate('2/9/2026')).toBe('2026-02-09');
    expect(parseHrDate('13/01/2026')).toBeNull();
    expect(parseHrDate('2026-12-07T23:30:00-05:00')).toBe('2026-12-07');
    expect(parseHrDate('next monday')).toBeNull();
    expect(parseTimestamp('2026-12-07T09:00:00Z')).toBe('2026-12-07T09:00:00.000Z');
    expect(parseTimestamp('2026-12-07T09:00:00+01:00')).toBe('2026-12-07T08:00:00.000Z');
    expect(parseTimestamp('2026-12-07T09:00:00')).toBeNull();
    expect(parseTimestamp('2026-02-30T09:00:00Z')).toBeNull();
  });

  it("gives a record's status on a day: a start day is active, an end day is terminated, at the exact day", () => {
    const v = { status: 'active' as const, startDate: '2026-12-08', endDate: null };
    expect(statusOn(v, '2026-12-07')).toBe('pending');
    expect(statusOn(v, '2026-12-08')).toBe('active');
    const t = { status: 'terminated' as const, startDate: '2020-01-01', endDate: '2026-12-08' };
    expect(statusOn(t, '2026-12-07')).toBe('active');
    expect(statusOn(t, '2026-12-08')).toBe('terminated');
  });
});

describe('HR events', () => {
  const line = (o: Record<string, unknown>): string => JSON.stringify({ event_id: 'e1', type: 'employee.hired', timestamp: '2026-12-01T09:00:00Z', effective_date: '2026-12-14', employee: { employee_id: '7', email: 'Seven@X.example' }, ...o });

  it('reads the webhook form and names every bad line with its key', () => {
    const text = [
      line({}),
      line({ event_id: 'e2', effective_date: undefined }),
      line({ event_id: 'e3', effective_date: '2026-14-01' }),
      line({ event_id: 'e4', type: 'employee.promoted' }),
      '{not json',
      line({ event_id: 'e6', employee: { employee_id: '7', shoe: 42 } }),
      line({ event_id: 'e7', timestamp: 'yesterday' }),
      line({ event_id: 'e8', employee: {} }),
      '',
    ].join('\n');
    const r = readEventLines(text);
    expect(r.count).toBe(8);
    expect(r.events.map((e) => e.eventId)).toEqual(['e1']);
    expect(r.events[0]).toMatchObject({ type: 'employee.hired', occurredAt: '2026-12-01T09:00:00.000Z', effectiveDate: '2026-12-14', email: 'seven@x.example', key: 'id:7' });
    expect(r.errors.map((e) => [e.row, e.column])).toEqual([
      [2, 'effective_date'],
      [3, 'effective_date'],
      [4, 'type'],
      [5, null],
      [6, 'employee.shoe'],
      [7, 'timestamp'],
      [8, 'employee'],
    ]);
    expect(r.errors[0]?.message).toBe('line 2, "effective_date": missing effective date');
  });

  it('counts a repeated event id in the file once', () => {
    const r = readEventLines([line({}), line({}), line({ event_id: 'e2' })].join('\n'));
    expect(r.events.map((e) => e.eventId)).toEqual(['e1', 'e2']);
    expect(r.duplicatesInFile).toBe(1);
  });

  it('tells events from a CSV by extension, else by content', () => {
    expect(isEventFile('feed.jsonl', 'employee_id')).toBe(true);
    expect(isEventFile('feed.ndjson', '')).toBe(true);
    expect(isEventFile('people.csv', '{')).toBe(false);
    expect(isEventFile('export', '\uFEFF  {"event_id":1}')).toBe(true);
    expect(isEventFile('export', 'Employee #,Work Email')).toBe(false);
  });
});

describe("a person's record from their events", () => {
  const base: HrValues = {
    employeeId: '7', email: 'seven@x.example', name: 'Sev', department: 'Sales', title: 'AE', location: 'Paris', employmentType: 'Employee',
    managerEmail: 'boss@x.example', managerEmployeeId: null, startDate: '2020-01-01', endDate: null, status: 'active',
  };
  const events: FoldEvent[] = [
    { eventId: 'a', type: 'employee.updated', occurredAt: '2026-11-01T00:00:00.000Z', effectiveDate: '2026-11-10', attributes: { department: 'Marketing', title: 'PMM' } },
    { eventId: 'b', type: 'employee.terminated', occurredAt: '2026-11-20T00:00:00.000Z', effectiveDate: '2026-11-30', attributes: {} },
    { eventId: 'c', type: 'employee.hired', occurredAt: '2026-12-01T00:00:00.000Z', effectiveDate: '2027-01-04', attributes: { department: 'Sales', managerEmail: 'new@x.example' } },
    // Same effective date as b, sent earlier: the timestamp orders them.
    { eventId: 'd', type: 'employee.updated', occurredAt: '2026-11-19T00:00:00.000Z', effectiveDate: '2026-11-30', attributes: { location: 'Lyon' } },
    // Same date and timestamp as d: the event id orders them.
    { eventId: 'e', type: 'employee.updated', occurredAt: '2026-11-19T00:00:00.000Z', effectiveDate: '2026-11-30', attributes: { location: 'Nice' } },
  ];

  it('applies them by effective date, then timestamp, then id: a rehire after a termination is active again', () => {
    expect(foldRecord(base, events)).toEqual({ ...base, department: 'Sales', title: 'PMM', location: 'Nice', managerEmail: 'new@x.example', startDate: '2027-01-04', endDate: null, status: 'active' });
    // Without the rehire, the termination stands.
    expect(foldRecord(base, events.filter((e) => e.eventId !== 'c'))).toMatchObject({ status: 'terminated', endDate: '2026-11-30', department: 'Marketing' });
  });

  it('comes out the same whatever order the events arrive in (terminated before hired included)', () => {
    const want = foldRecord(null, events);
    const rng = createRng(13, 'hr-shuffle');
    for (let round = 0; round < 200; round++) {
      const shuffled = [...events];
      for (let i = shuffled.length - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        [shuffled[i], shuffled[j]] = [shuffled[j] as FoldEvent, shuffled[i] as FoldEvent];
      }
      expect(foldRecord(null, shuffled)).toEqual(want);
    }
  });
});
