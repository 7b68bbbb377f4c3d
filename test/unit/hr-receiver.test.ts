// The HR event receiver's checks, each at its exact boundary: no signature, a
// signature one bit off or over another body, a timestamp exactly 5 minutes
// old (accepted) and one millisecond older (refused), the same ahead, and an
// event id already received.
import { describe, expect, it } from 'vitest';
import { checkDelivery, HR_MAX_AGE_MS, signBody } from '../../electron/engine/hr/receiver.js';

const secret = 's3cret-s3cret-s3cret-s3cret-s3cret!';
const at = Date.parse('2026-12-07T12:00:00.000Z');
const body = Buffer.from(JSON.stringify({ event_id: 'e1', type: 'employee.terminated', timestamp: '2026-12-07T12:00:00.000Z', effective_date: '2026-12-08', employee: { employee_id: '7' } }));
const check = (o: Partial<Parameters<typeof checkDelivery>[0]> = {}) =>
  checkDelivery({ body, signature: signBody(secret, body), secret, now: new Date(at), seen: () => false, ...o });

describe('HR event deliveries', () => {
  it('accepts a signed, fresh, new event', () => {
    expect(check()).toMatchObject({ ok: true, event: { eventId: 'e1', type: 'employee.terminated', effectiveDate: '2026-12-08' } });
  });

  it('refuses an unsigned delivery, and any signature that is not the HMAC of this body under this secret', () => {
    expect(check({ signature: undefined })).toMatchObject({ ok: false, status: 401, reason: expect.stringContaining('unsigned') as unknown });
    expect(check({ signature: '' })).toMatchObject({ ok: false, status: 401 });
    const good = signBody(secret, body);
    const flipped = `${good.slice(0, -1)}${good.endsWith('0') ? '1' : '0'}`;
    expect(check({ signature: flipped })).toMatchObject({ ok: false, status: 401, reason: expect.stringContaining('wrong signature') as unknown });
    expect(check({ signature: good.replace('sha256=', '') })).toMatchObject({ ok: false, status: 401 });
    expect(check({ signature: signBody(`${secret}x`, body) })).toMatchObject({ ok: false, status: 401 });
    expect(check({ signature: signBody(secret, Buffer.concat([body, Buffer.from(' ')])) })).toMatchObject({ ok: false, status: 401 });
    // Upper-case hex is the same signature.
    expect(check({ signature: `sha256=${good.slice(7).toUpperCase()}` })).toMatchObject({ ok: true });
  });

  it('accepts an event exactly 5 minutes old or ahead, and refuses one a millisecond beyond', () => {
    expect(check({ now: new Date(at + HR_MAX_AGE_MS) })).toMatchObject({ ok: true });
    expect(check({ now: new Date(at + HR_MAX_AGE_MS + 1) })).toMatchObject({ ok: false, status: 401, reason: expect.stringContaining('too old') as unknown });
    expect(check({ now: new Date(at - HR_MAX_AGE_MS) })).toMatchObject({ ok: true });
    expect(check({ now: new Date(at - HR_MAX_AGE_MS - 1) })).toMatchObject({ ok: false, status: 401, reason: expect.stringContaining('from the future') as unknown });
  });

  it('refuses a replay of an event id already received', () => {
    expect(check({ seen: (id) => id === 'e1' })).toEqual({ ok: false, status: 409, reason: 'replay: event e1 was already received' });
  });

  it('checks the signature before reading the body, and wants one well-formed event', () => {
    const junk = Buffer.from('{not json');
    expect(checkDelivery({ body: junk, signature: undefined, secret, now: new Date(at), seen: () => false })).toMatchObject({ status: 401 });
    expect(checkDelivery({ body: junk, signature: signBody(secret, junk), secret, now: new Date(at), seen: () => false })).toMatchObject({ status: 400 });
    const two = Buffer.from(`${body.toString()}\n${body.toString().replace('"e1"', '"e2"')}`);
    expect(checkDelivery({ body: two, signature: signBody(secret, two), secret, now: new Date(at), seen: () => false })).toMatchObject({ status: 400, reason: 'one event per delivery' });
  });
});
