import { describe, expect, it } from 'vitest';
import {
  header,
  listValues,
  parseMessage,
  serialize,
  splitListElements,
  withHeader,
  withoutFirstListValue,
  withPrepended,
} from './message';
import { INVITE_RAW, invite } from './test-messages';

describe('parseMessage / serialize', () => {
  it('keeps unknown headers and the body byte for byte', () => {
    const m = invite();
    expect(serialize(m)).toBe(INVITE_RAW);
    expect(header(m, 'x-custom')).toBe('kept');
  });

  it('expands compact names and recomputes Content-Length', () => {
    const m = parseMessage('OPTIONS sip:a@b SIP/2.0\r\nv: SIP/2.0/UDP h;branch=z9hG4bK1\r\nl: 99\r\n\r\n');
    expect(m && header(m, 'via')).toBe('SIP/2.0/UDP h;branch=z9hG4bK1');
    expect(m && serialize({ ...m, body: 'ab' })).toContain('l: 2\r\n\r\nab');
  });

  it('rejects a start line that is not SIP', () => {
    expect(parseMessage('HELLO\r\n\r\n')).toBeUndefined();
  });
});

describe('list headers', () => {
  it('splits on commas outside quotes and brackets', () => {
    expect(splitListElements('"a, b" <sip:x;p=1,2>, <sip:y>')).toEqual(['"a, b" <sip:x;p=1,2>', '<sip:y>']);
    expect(splitListElements(' <sip:x> , ,<sip:y>')).toEqual(['<sip:x>', '<sip:y>']);
  });

  it('removes only the top element of a folded Via', () => {
    const m = withPrepended(invite(), 'Via', [
      'SIP/2.0/UDP me;branch=z9hG4bKa, SIP/2.0/UDP x;branch=z9hG4bKb',
    ]);
    const out = withoutFirstListValue(m, 'via');
    expect(listValues(out, 'via')).toEqual([
      'SIP/2.0/UDP x;branch=z9hG4bKb',
      'SIP/2.0/UDP 198.51.100.7:5070;branch=z9hG4bKcaller1',
    ]);
  });

  it('replaces a header in place', () => {
    expect(header(withHeader(invite(), 'Max-Forwards', '69'), 'max-forwards')).toBe('69');
  });
});
