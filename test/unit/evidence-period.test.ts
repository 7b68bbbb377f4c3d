// The evidence period from what a person types: days are whole UTC days (the
// last millisecond of `to` included), instants keep their exact millisecond
// whatever zone they were written in, and impossible dates or a period that
// ends before it starts are refused naming the end at fault.
import { describe, expect, it } from 'vitest';
import { periodInstant, resolvePeriod } from '../../electron/engine/evidence/period.js';

describe('evidence period', () => {
  it('takes a day from its first to its last millisecond, in UTC', () => {
    expect(resolvePeriod('2026-07-01', '2026-09-30')).toEqual({ from: '2026-07-01T00:00:00.000Z', to: '2026-09-30T23:59:59.999Z' });
    expect(periodInstant('2028-02-29', 'to')).toBe('2028-02-29T23:59:59.999Z');
  });

  it('keeps an instant to the millisecond and moves it to UTC', () => {
    expect(periodInstant('2026-06-30T23:59:59.999Z', 'to')).toBe('2026-06-30T23:59:59.999Z');
    expect(periodInstant('2026-07-01T01:30:00+02:00', 'from')).toBe('2026-06-30T23:30:00.000Z');
    expect(periodInstant('2026-07-01T00:00Z', 'from')).toBe('2026-07-01T00:00:00.000Z');
  });

  it('a period of one instant is allowed; one millisecond backwards is refused', () => {
    expect(resolvePeriod('2026-07-01T00:00:00.000Z', '2026-07-01T00:00:00.000Z').from).toBe('2026-07-01T00:00:00.000Z');
    expect(() => resolvePeriod('2026-07-01T00:00:00.001Z', '2026-07-01T00:00:00.000Z')).toThrow(/^to: the period ends \(2026-07-01T00:00:00.000Z\) before it starts/);
    expect(() => resolvePeriod('2026-07-02', '2026-07-01')).toThrow(/^to: /);
  });

  it('refuses days that do not exist and text that is not a date, naming the end', () => {
    expect(() => periodInstant('2026-02-30', 'from')).toThrow('from: 2026-02-30 is not a real date');
    expect(() => periodInstant('2027-02-29', 'to')).toThrow('to: 2027-02-29 is not a real date');
    expect(() => periodInstant('2026-13-01', 'to')).toThrow(/^to: /);
    expect(() => periodInstant('yesterday', 'from')).toThrow(/^from: "yesterday" must be a date/);
    // An instant without its zone is ambiguous: refused rather than read in this machine's zone.
    expect(() => periodInstant('2026-07-01T00:00:00', 'from')).toThrow(/^from: .* with its zone/);
  });
});
