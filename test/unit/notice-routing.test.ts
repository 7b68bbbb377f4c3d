// Notice routing: quiet hours at their exact boundary instants (also across midnight), the digest hour, audiences.
import { describe, expect, it } from 'vitest';
import { DEFAULT_NOTICE_SETTINGS, type NoticeRoute } from '../../shared/contract-notices.js';
import { afterQuietHours, audienceOf, inQuietHours, nextAtOrAfter, releaseAt, type NoticeEvent } from '../../electron/engine/notices/routing.js';

const t = (s: string) => new Date(s);

describe('quiet hours', () => {
  const night = { start: '22:00', end: '07:00' };
  it('holds from the start instant (included) to the end instant (excluded), across midnight', () => {
    expect(inQuietHours(t('2026-12-08T21:59:59.999Z'), night)).toBe(false);
    expect(inQuietHours(t('2026-12-08T22:00:00.000Z'), night)).toBe(true);
    expect(inQuietHours(t('2026-12-09T06:59:59.999Z'), night)).toBe(true);
    expect(inQuietHours(t('2026-12-09T07:00:00.000Z'), night)).toBe(false);
    expect(afterQuietHours(t('2026-12-08T22:00:00.000Z'), night).toISOString()).toBe('2026-12-09T07:00:00.000Z');
    expect(afterQuietHours(t('2026-12-09T03:00:00.000Z'), night).toISOString()).toBe('2026-12-09T07:00:00.000Z');
    expect(afterQuietHours(t('2026-12-09T07:00:00.000Z'), night).toISOString()).toBe('2026-12-09T07:00:00.000Z');
    expect(afterQuietHours(t('2026-12-08T21:59:59.999Z'), night).toISOString()).toBe('2026-12-08T21:59:59.999Z');
  });
  it('within one day, and never when start equals end or none is set', () => {
    const lunch = { start: '12:00', end: '13:00' };
    expect(inQuietHours(t('2026-12-08T12:00:00.000Z'), lunch)).toBe(true);
    expect(inQuietHours(t('2026-12-08T13:00:00.000Z'), lunch)).toBe(false);
    expect(inQuietHours(t('2026-12-08T23:00:00.000Z'), lunch)).toBe(false);
    expect(inQuietHours(t('2026-12-08T12:00:00.000Z'), { start: '12:00', end: '12:00' })).toBe(false);
    expect(inQuietHours(t('2026-12-08T12:00:00.000Z'), null)).toBe(false);
  });
});

describe('digest and release', () => {
  it('a digested notice waits for the digest hour (the exact instant counts), then for quiet hours to end', () => {
    expect(nextAtOrAfter(t('2026-12-08T08:00:00.000Z'), 8 * 60).toISOString()).toBe('2026-12-08T08:00:00.000Z');
    expect(nextAtOrAfter(t('2026-12-08T08:00:00.001Z'), 8 * 60).toISOString()).toBe('2026-12-09T08:00:00.000Z');
    const s = { quietHours: { start: '06:00', end: '09:00' }, digestAt: '08:00' };
    expect(releaseAt(t('2026-12-08T07:00:00Z'), { digest: true }, s).toISOString()).toBe('2026-12-08T09:00:00.000Z');
    expect(releaseAt(t('2026-12-08T10:00:00Z'), { digest: false }, s).toISOString()).toBe('2026-12-08T10:00:00.000Z');
    expect(releaseAt(t('2026-12-08T10:00:00Z'), { digest: true }, { quietHours: null, digestAt: '08:00' }).toISOString()).toBe('2026-12-09T08:00:00.000Z');
  });
});

describe('audiences', () => {
  const e: NoticeEvent = { type: 'approval-needed', key: 'k', about: { type: 'request', id: 1 }, people: { requester: 'r@x', approvers: ['a@x', 'b@x', 'a@x'], beneficiary: 'ben@x' }, subject: 's', body: 'b' };
  const route = (to: NoticeRoute['to'], fixed: string[] = []): NoticeRoute => ({ channels: ['email'], to, fixed, digest: false });
  it('resolves each audience once, in order, with fixed addresses; `only` overrides', () => {
    expect(audienceOf(route(['approvers', 'requester']), e)).toEqual(['a@x', 'b@x', 'r@x']);
    expect(audienceOf(route(['beneficiary', 'fixed'], ['sec@x']), e)).toEqual(['ben@x', 'sec@x']);
    expect(audienceOf(route(['reviewer']), e)).toEqual([]);
    expect(audienceOf(route(['approvers']), { ...e, only: ['b@x'] })).toEqual(['b@x']);
    expect(DEFAULT_NOTICE_SETTINGS.routes['approval-needed']?.to).toEqual(['approvers']);
  });
});
