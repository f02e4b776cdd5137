import { describe, expect, it } from 'vitest';
import type { AuditContext } from '../domain/audit-event';
import { storeCredentials } from '../store/credentials';
import { actorOf, buildAuditEvent, changedFields } from './build-event';
import { REDACTED } from './redact';

const context: AuditContext = {
  actor: actorOf({ kind: 'customer', customerId: 'c1', keyId: 'k1' }),
  source: { ip: '198.51.100.7', forwarded_for: '203.0.113.9', user_agent: 'curl/8' },
  request_id: 'req-1',
  retentionDays: 400,
};
const at = { id: 'e1', time: '2026-12-05T10:00:00.000Z' };

describe('buildAuditEvent', () => {
  it('records who, what, when and from where', () => {
    const event = buildAuditEvent(
      context,
      {
        action: 'update',
        resource: 'route',
        resource_id: 'r1',
        customer_id: 'c1',
        before: { id: 'r1', target: '+82', tm_update: null },
        after: { id: 'r1', target: '+8210', tm_update: '2026-12-05T10:00:00.000Z' },
      },
      at,
    );
    expect(event).toEqual({
      id: 'e1',
      time: '2026-12-05T10:00:00.000Z',
      actor: { kind: 'api_key', key_id: 'k1', customer_id: 'c1' },
      action: 'update',
      resource: 'route',
      resource_id: 'r1',
      customer_id: 'c1',
      before: { id: 'r1', target: '+82', tm_update: null },
      after: { id: 'r1', target: '+8210', tm_update: '2026-12-05T10:00:00.000Z' },
      changed_fields: ['target'],
      source: { ip: '198.51.100.7', forwarded_for: '203.0.113.9', user_agent: 'curl/8' },
      request_id: 'req-1',
    });
    expect(actorOf({ kind: 'operator' })).toEqual({ kind: 'operator', key_id: null, customer_id: null });
  });

  it('redacts secrets of before and after, and names a password change no view shows', () => {
    const old = storeCredentials({ username: 'u', realm: 'r', password: 'old-password' });
    const next = storeCredentials({ username: 'u', realm: 'r', password: 'new-password' });
    const view = { id: 'p1', credentials: { username: 'u', realm: 'r' } };
    const event = buildAuditEvent(
      context,
      {
        action: 'update',
        resource: 'provider',
        resource_id: 'p1',
        customer_id: null,
        // A careless caller handing the stored form as the view: redaction still holds.
        before: { id: 'p1', credentials: old },
        after: view,
        storedBefore: { id: 'p1', credentials: old },
        storedAfter: { id: 'p1', credentials: next },
      },
      at,
    );
    const text = JSON.stringify(event);
    for (const secret of ['old-password', 'new-password', old.ha1_md5, old.ha1_sha256, next.ha1_md5]) {
      expect(text).not.toContain(secret);
    }
    expect(event.before?.['credentials']).toEqual({
      username: 'u',
      realm: 'r',
      ha1_md5: REDACTED,
      ha1_sha256: REDACTED,
    });
    expect(event.changed_fields).toEqual(['credentials']);
  });

  it('a create changes every field of the new object, a delete every field of the old one', () => {
    const doc = { id: 'd1', number: '+14155550100' };
    const change = { resource: 'did' as const, resource_id: 'd1', customer_id: 'c1' };
    expect(
      buildAuditEvent(context, { ...change, action: 'create', before: null, after: doc }, at),
    ).toMatchObject({
      before: null,
      after: doc,
      changed_fields: ['number'],
    });
    expect(
      buildAuditEvent(context, { ...change, action: 'delete', before: doc, after: null }, at),
    ).toMatchObject({
      before: doc,
      after: null,
      changed_fields: ['number'],
    });
  });
});

describe('changedFields', () => {
  it('compares values deeply, map keys in any order, and ignores the id and timestamps', () => {
    expect(
      changedFields(
        { id: 'x', a: { x: 1, y: [1, 2] }, b: 1, tm_update: null },
        { a: { y: [1, 2], x: 1 }, b: 2, tm_update: 'now', tm_create: 'then' },
      ),
    ).toEqual(['b']);
    expect(changedFields({ a: [1, 2] }, { a: [2, 1] })).toEqual(['a']);
    expect(changedFields({ a: null }, {})).toEqual(['a']);
    expect(changedFields({ a: {} }, { a: [] })).toEqual(['a']);
  });
});
