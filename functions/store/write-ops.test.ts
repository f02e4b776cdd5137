import { describe, expect, it } from 'vitest';
import { DEFAULT_CUSTOMER_ID } from '../domain';
import { resources } from './resources';
import { type Doc, objectItem, writeOps } from './write-ops';

const A = 'a0000000-0000-4000-8000-00000000000a';
const B = 'b0000000-0000-4000-8000-00000000000b';
const did = (fields: Record<string, unknown>) =>
  ({
    id: 'd1',
    tm_create: '2026-11-23T10:00:00.000Z',
    customer_id: A,
    number: '+14155550100',
    ipbx_id: 'i1',
    ...fields,
  }) as Doc;

/** Which item each op writes, and how: a readable summary of a transaction. */
const summary = (ops: ReturnType<ReturnType<typeof writeOps>['referenceOps']>) =>
  ops.map((op) => {
    const [verb, body] = Object.entries(op.item)[0] as [
      string,
      { Key?: { PK: string }; Item?: { PK: string }; ExpressionAttributeValues?: Record<string, unknown> },
    ];
    return `${verb} ${(body.Key ?? body.Item)!.PK}${body.ExpressionAttributeValues?.[':d'] !== undefined ? ` ${body.ExpressionAttributeValues[':d']}` : ''}`;
  });

describe('write ops', () => {
  const ops = writeOps('t', resources.did);

  it('create: guard, +1 on each referenced item, version of the owner', () => {
    expect(summary(ops.guardOps(undefined, did({})))).toEqual(['Put UNIQUE#DID_NUMBER#+14155550100']);
    expect(summary(ops.referenceOps(undefined, did({})))).toEqual([
      `Update CUSTOMER#${A} 1`,
      'Update IPBX#i1 1',
    ]);
    expect(summary(ops.versionOps(did({})))).toEqual([`Update VERSION#${A}`]);
  });

  it('update: a changed reference moves the count, an unchanged one is left alone', () => {
    expect(summary(ops.referenceOps(did({}), did({ ipbx_id: 'i2' })))).toEqual([
      'Update IPBX#i1 -1',
      'Update IPBX#i2 1',
    ]);
    expect(summary(ops.referenceOps(did({}), did({ name: 'x' })))).toEqual([]);
    expect(summary(ops.guardOps(did({}), did({ number: '+14155550101' })))).toEqual([
      'Delete UNIQUE#DID_NUMBER#+14155550100',
      'Put UNIQUE#DID_NUMBER#+14155550101',
    ]);
  });

  it('moving to another customer re-checks the owner of a kept reference and bumps both versions', () => {
    expect(summary(ops.referenceOps(did({}), did({ customer_id: B })))).toEqual([
      `Update CUSTOMER#${A} -1`,
      `Update CUSTOMER#${B} 1`,
      'ConditionCheck IPBX#i1',
    ]);
    expect(summary(ops.versionOps(did({}), did({ customer_id: B })))).toEqual([
      `Update VERSION#${A}`,
      `Update VERSION#${B}`,
    ]);
  });

  it('global objects belong to the default customer; only customer-owned ones are in GSI1', () => {
    const provider = { id: 'p1', tm_create: 't' } as Doc;
    expect(summary(writeOps('t', resources.provider).versionOps(provider))).toEqual([
      `Update VERSION#${DEFAULT_CUSTOMER_ID}`,
    ]);
    expect(objectItem(resources.provider, provider, 0)).not.toHaveProperty('GSI1PK');
    expect(objectItem(resources.did, did({}), 0)).toMatchObject({
      GSI1PK: `DID#CUSTOMER#${A}`,
      GSI2PK: 'DID',
      GSI2SK: '2026-11-23T10:00:00.000Z#d1',
    });
  });

  it("a list reference (a customer policy's providers) counts each id once, as the list changes", () => {
    const customerOps = writeOps('t', resources.customer);
    const customer = (providers: string[] | undefined) =>
      ({
        id: A,
        tm_create: 't',
        ...(providers ? { policy: { allowed_provider_ids: providers } } : {}),
      }) as Doc;
    expect(summary(customerOps.referenceOps(undefined, customer(['p1', 'p2'])))).toEqual([
      'Update PROVIDER#p1 1',
      'Update PROVIDER#p2 1',
    ]);
    expect(summary(customerOps.referenceOps(customer(['p1', 'p2']), customer(['p2', 'p3'])))).toEqual([
      'Update PROVIDER#p1 -1',
      'Update PROVIDER#p3 1',
    ]);
    // Stored before policies existed: nothing to release.
    expect(summary(customerOps.referenceOps(customer(undefined), customer(['p1'])))).toEqual([
      'Update PROVIDER#p1 1',
    ]);
    expect(summary(customerOps.referenceOps(customer(['p1']), undefined))).toEqual(['Update PROVIDER#p1 -1']);
  });
});
