import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import type { Store } from './client';
import { HttpError } from './errors';
import { decodePageToken, encodePageToken, queryPage } from './pagination';

const item = {
  PK: 'ROUTE#1',
  SK: 'A',
  GSI1PK: 'ROUTE#CUSTOMER#c',
  GSI1SK: 't#1',
  GSI2PK: 'ROUTE',
  GSI2SK: 't#1',
  doc: {},
};

describe('page tokens', () => {
  it('carry the key of the last item for the index read, and only resume that partition', () => {
    const token = encodePageToken(item, 'GSI2');
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodePageToken(token, { index: 'GSI2', partition: 'ROUTE' })).toEqual({
      PK: 'ROUTE#1',
      SK: 'A',
      GSI2PK: 'ROUTE',
      GSI2SK: 't#1',
    });
    expect(() => decodePageToken(token, { index: 'GSI2', partition: 'DID' })).toThrow(HttpError);
    expect(() => decodePageToken(token, { index: 'GSI1', partition: 'ROUTE#CUSTOMER#c' })).toThrow(HttpError);
  });

  it.each([
    '',
    'not base64 json',
    Buffer.from('[]').toString('base64url'),
    Buffer.from('{"PK":1}').toString('base64url'),
  ])('refuses %j with a 400 naming page_token', (token) => {
    try {
      decodePageToken(token, { partition: 'X' });
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({ status: 400, errors: [{ field: 'page_token' }] });
    }
  });
});

/**
 * A partition of `size` items (sort keys 0000…) read `limit` at a time, where only the items
 * `matches` keeps pass the filter, as DynamoDB answers: Items after the filter, ScannedCount before.
 */
function partitionStore(size: number, matches: (n: number) => boolean) {
  const queries: number[] = [];
  const send = async (command: unknown) => {
    if (!(command instanceof QueryCommand)) throw new Error('unexpected command');
    const start = command.input.ExclusiveStartKey ? Number(command.input.ExclusiveStartKey['SK']) + 1 : 0;
    const end = Math.min(size, start + (command.input.Limit ?? size));
    queries.push(start);
    const keys = Array.from({ length: end - start }, (_, i) => start + i);
    const item = (n: number) => ({ PK: 'AUDIT', SK: String(n).padStart(4, '0'), doc: { n } });
    return {
      Items: keys.filter(matches).map(item),
      ScannedCount: keys.length,
      ...(end < size ? { LastEvaluatedKey: { PK: 'AUDIT', SK: String(end - 1).padStart(4, '0') } } : {}),
    };
  };
  return { store: { doc: { send }, raw: {}, tableName: 't' } as unknown as Store, queries };
}

describe('queryPage', () => {
  const filtered = { partition: 'AUDIT', filter: { action: 'revoke' } };

  it('stops a rarely matching filter after its read budget, with a token that goes on where it stopped', async () => {
    // One match in 2,500 items: a budget of 1,000 reads one query and gives back a token.
    const { store, queries } = partitionStore(2500, (n) => n === 2400);
    const first = await queryPage(store, filtered, 10, undefined, 1000);
    expect(first.items).toEqual([]);
    expect(first.nextPageToken).not.toBe('');
    expect(queries).toEqual([0]);
    const second = await queryPage(store, filtered, 10, first.nextPageToken, 1000);
    expect(queries).toEqual([0, 1000]);
    const third = await queryPage(store, filtered, 10, second.nextPageToken, 1000);
    expect(third.items.map((i) => i['SK'])).toEqual(['2400']);
    expect(third.nextPageToken).toBe('');
  });

  it('reads on within the budget until the page is full, and ends with an empty token', async () => {
    const { store, queries } = partitionStore(2500, (n) => n % 500 === 0);
    const page = await queryPage(store, filtered, 10, undefined, 5000);
    expect(page.items.map((i) => i['SK'])).toEqual(['0000', '0500', '1000', '1500', '2000']);
    expect(page.nextPageToken).toBe('');
    expect(queries).toEqual([0, 1000, 2000]);
  });
});
