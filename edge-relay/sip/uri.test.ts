import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseNameAddr, tagOf } from './uri';

describe('tagOf', () => {
  it('reads the tag of name-addr and addr-spec values', () => {
    expect(tagOf('<sip:a@b>;tag=1')).toBe('1');
    expect(tagOf('Bob <sip:a;x=y@b;tag=no>; TAG = 2 ;lr')).toBeUndefined(); // "TAG " is not "tag"
    expect(tagOf('Bob <sip:a@b;tag=no> ; Tag=2;lr')).toBe('2');
    expect(tagOf('sip:a@b;tag=3')).toBe('3');
    expect(tagOf('"x;tag=q" <sip:a@b>;tag=4')).toBe('4');
    expect(tagOf('<sip:a@b>')).toBeUndefined();
    expect(tagOf('<sip:a@b>;tag')).toBeUndefined();
    expect(tagOf(undefined)).toBeUndefined();
  });

  it('agrees with the full name-addr parse', () => {
    const piece = fc.constantFrom(
      '<',
      '>',
      ';',
      '=',
      ' ',
      'tag',
      'TAG',
      'Tag',
      't',
      'sip:a@b',
      'x',
      '1',
      ',',
      '\t',
      ':',
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 14 }), (parts) => {
        const value = parts.join('');
        expect(tagOf(value)).toBe(value ? (parseNameAddr(value)?.params['tag'] ?? undefined) : undefined);
      }),
      { numRuns: 5000, seed: 4 },
    );
  });
});
