import { describe, expect, it } from 'vitest';
import {
  checkAddress,
  checkAddressList,
  checkDate,
  checkUri,
  checkVia,
  parseBoundedInt,
  parseCSeq,
  parseRequestLine,
  parseStatusLine,
  splitListVerbatim,
} from './sip-grammar';

describe('sip-grammar', () => {
  it('cuts lists outside quotes and brackets, keeping parts as written (empty ones too)', () => {
    expect(splitListVerbatim('"a, b" <sip:x;p=1,2>, ,<sip:y>')).toEqual([
      '"a, b" <sip:x;p=1,2>',
      ' ',
      '<sip:y>',
    ]);
  });

  it('reads request lines strictly (one space, nothing trailing)', () => {
    expect(parseRequestLine('INVITE sip:a@b SIP/2.0')).toEqual({
      method: 'INVITE',
      uri: 'sip:a@b',
      version: '2.0',
    });
    expect(parseRequestLine('INVITE  sip:a@b SIP/2.0')).toBeUndefined();
    expect(parseRequestLine('INVITE sip:a@b SIP/2.0 ')).toBeUndefined();
    expect(parseRequestLine('INVITE sip:a@b; lr SIP/2.0')).toBeUndefined();
  });

  it('reads status lines with a three-digit code and any reason', () => {
    expect(parseStatusLine('SIP/2.0 100 ')).toEqual({ version: '2.0', status: 100, reason: '' });
    expect(parseStatusLine('SIP/2.0 4294967301 big')).toBeUndefined();
  });

  it('checks URIs: structure of sip/sips, opaque others, no headers in a Request-URI', () => {
    expect(checkUri('sip:user;par=u%40example.net@example.com', true)).toBeUndefined();
    expect(checkUri('sip:[2001:db8::1]:5060;transport=tcp', true)).toBeUndefined();
    expect(checkUri('tel:+15551234567', true)).toBeUndefined();
    expect(checkUri('soap.beep://192.0.2.103:3002', true)).toBeUndefined();
    expect(checkUri('sip:user@example.com?Route=%3Csip:example.com%3E', true)).toBe('headers in Request-URI');
    expect(checkUri('sip:user@example.com?Route=%3Csip:example.com%3E', false)).toBeUndefined();
    expect(checkUri('<sip:user@example.com>', true)).toBe('no URI scheme');
    expect(checkUri('sip:user@exa mple.com', false)).toBe('bad URI characters');
    expect(checkUri('sip:user@host:99999', false)).toBe('bad port');
  });

  it('checks name-addr and addr-spec forms', () => {
    expect(checkAddress('caller<sip:caller@example.com>;tag=323')).toBeUndefined();
    expect(checkAddress('"J Rosenberg \\\\\\"" <sip:jdrosen@example.com> ; tag = 98asjd8')).toBeUndefined();
    expect(checkAddress('sip:user@example.com ; tag = 1')).toBeUndefined();
    expect(checkAddress('<name:John_Smith>')).toBeUndefined();
    expect(checkAddress('"Mr. J. User <sip:j.user@example.com>')).toBe('unterminated quoted string');
    expect(checkAddress('Bell, Alexander <sip:a.g.bell@example.com>;tag=43')).toBe('bad display name');
    expect(checkAddress('"Watson" < sip:t.watson@example.org >')).toBe('spaces inside <>');
    expect(checkAddress('sip:user@example.com?Route=x')).toBe('URI with ? not in <>');
    expect(checkAddress('<sip:a@b>;;')).toBe('empty parameter');
  });

  it('checks address lists', () => {
    expect(checkAddressList('*', false)).toBeUndefined();
    expect(checkAddressList('<sip:a@b>, "x, y" <sip:c@d>;q=0.5', false)).toBeUndefined();
    expect(checkAddressList('<sip:a@b>,,<sip:c@d>', false)).toBe('empty list element');
    expect(checkAddressList('sip:proxy.example.com;lr', true)).toBe('URI not in <>');
  });

  it('checks Via, including folded multi-value ones', () => {
    expect(
      checkVia(
        'SIP  / 2.0  / TCP     spindle.example.com   ; branch  =   z9hG4bK9ikj8  , SIP/2.0/UDP 192.168.255.111 ; branch= z9hG4bK30239',
      ),
    ).toBeUndefined();
    expect(checkVia('SIP/2.0/UDP [2001:db8::1]:5060;branch=z9hG4bK1;received=2001:db8::2')).toBeUndefined();
    expect(checkVia('SIP/2.0/UDP 192.0.2.15;;,;,,')).toBe('empty parameter');
    expect(checkVia('SIP/7.0/UDP c.example.com;branch=z9hG4bKkdjuw')).toBe('bad SIP version');
    expect(checkVia('SIP/2.0/UDP host:70000')).toBe('bad port');
  });

  it('bounds CSeq, Max-Forwards style integers and dates', () => {
    expect(parseCSeq('0009 INVITE')).toEqual({ seq: 9, method: 'INVITE' });
    expect(parseCSeq('36893488147419103232 REGISTER')).toBe('not a number and a method');
    expect(parseCSeq('2147483648 INVITE')).toBe('CSeq number out of range');
    expect(parseBoundedInt('0068', 255, 3)).toBe(68);
    expect(parseBoundedInt('300', 255, 3)).toBeUndefined();
    expect(parseBoundedInt('-999', 2 ** 31)).toBeUndefined();
    expect(checkDate('Sat, 15 Oct 2005 04:44:56 GMT')).toBeUndefined();
    expect(checkDate('Fri, 01 Jan 2010 16:00:00 EST')).toBeDefined();
  });
});
