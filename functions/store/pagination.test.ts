import { describe, expect, it } from 'vitest';
import { HttpError } from './errors';
import { decodePageToken, encodePageToken } from './pagination';

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
