import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../domain/audit-event';
import { auditChange } from './audit-change';
import { auditItem, auditPartition } from './audit-events';
import { resources } from './resources';
import type { Doc } from './write-ops';

const event: AuditEvent = {
  id: 'e1',
  time: '2026-12-05T10:00:00.000Z',
  actor: { kind: 'operator', key_id: null, customer_id: null },
  action: 'create',
  resource: 'route',
  resource_id: 'r1',
  customer_id: 'c1',
  before: null,
  after: { id: 'r1' },
  changed_fields: [],
  source: { ip: null, forwarded_for: null, user_agent: null },
  request_id: null,
};

describe('audit event items', () => {
  it("sits in its object's partition, its customer's index and the index of all, with its TTL", () => {
    expect(auditItem(event, 30)).toEqual({
      PK: 'AUDIT#OBJECT#r1',
      SK: '2026-12-05T10:00:00.000Z#e1',
      kind: 'audit_event',
      doc: event,
      GSI1PK: 'AUDIT#CUSTOMER#c1',
      GSI1SK: '2026-12-05T10:00:00.000Z#e1',
      GSI2PK: 'AUDIT',
      GSI2SK: '2026-12-05T10:00:00.000Z#e1',
      expires_at: Date.parse(event.time) / 1000 + 30 * 86_400,
    });
    // The operator's events are in no customer's partition.
    expect(auditItem({ ...event, customer_id: null }, 30)).not.toHaveProperty('GSI1PK');
  });

  it('reads one partition, newest first: the object, else the customer, else all; the rest filters', () => {
    expect(auditPartition({ pageSize: 10 })).toEqual({ index: 'GSI2', partition: 'AUDIT', descending: true });
    expect(auditPartition({ pageSize: 10, customerId: 'c1', action: 'delete', actorKeyId: 'k1' })).toEqual({
      index: 'GSI1',
      partition: 'AUDIT#CUSTOMER#c1',
      descending: true,
      filter: { action: 'delete', 'actor.key_id': 'k1' },
    });
    expect(
      auditPartition({
        pageSize: 10,
        customerId: 'c1',
        resourceId: 'r1',
        resource: 'route',
        from: 'a',
        to: 'b',
      }),
    ).toEqual({
      partition: 'AUDIT#OBJECT#r1',
      descending: true,
      sortKeyRange: { from: 'a', to: 'b' },
      filter: { resource: 'route', customer_id: 'c1' },
    });
  });
});

describe('auditChange', () => {
  const route = (customer_id: string): Doc => ({ id: 'r1', tm_create: 't', customer_id, target: '+82' });

  it("belongs to the object's customer; a move between customers is the operator's alone", () => {
    expect(auditChange(resources.route, 'update', route('c1'), route('c1')).customer_id).toBe('c1');
    expect(auditChange(resources.route, 'update', route('c1'), route('c2')).customer_id).toBeNull();
    expect(
      auditChange(resources.customer, 'delete', { id: 'c9', tm_create: 't' }, undefined).customer_id,
    ).toBe('c9');
    expect(
      auditChange(resources.provider, 'create', undefined, { id: 'p1', tm_create: 't' }).customer_id,
    ).toBeNull();
  });

  it('shows objects as API reads do (defaults, no hashes, no hidden field); the stored form keeps hashes for changed_fields', () => {
    const stored = (ha1: string): Doc => ({
      id: 'p1',
      tm_create: 't',
      credentials: { username: 'u', realm: 'r', ha1_md5: ha1, ha1_sha256: ha1 },
    });
    const change = auditChange(resources.provider, 'update', stored('a'.repeat(32)), stored('b'.repeat(32)));
    // A provider stored before `currency` existed reads with its default, as GET shows it.
    expect(change.before).toEqual({
      id: 'p1',
      currency: 'USD',
      tm_create: 't',
      credentials: { username: 'u', realm: 'r' },
    });
    expect(change.storedAfter).toMatchObject({ credentials: { ha1_md5: 'b'.repeat(32) } });
    const key = auditChange(
      resources.api_key,
      'revoke',
      { id: 'k1', tm_create: 't', key_hash: 'h' },
      undefined,
    );
    expect(key.before).toEqual({ id: 'k1', tm_create: 't' });
    expect(key.storedBefore).toEqual({ id: 'k1', tm_create: 't' });
  });
});
