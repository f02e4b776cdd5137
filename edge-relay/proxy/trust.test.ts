import { describe, expect, it } from 'vitest';
import { headers, withHeader } from '../sip/message';
import { invite } from '../sip/test-messages';
import { assertedIdentity, trustedInDialog } from './trust';

describe('the trust rule', () => {
  it('keeps only the identity headers among the decision target headers', () => {
    expect(
      assertedIdentity({
        'P-Asserted-Identity': '<sip:+1415@carrier>',
        Privacy: 'id',
        'remote-party-id': '<sip:+1415@carrier>;party=calling',
        'X-Account': '42',
      }),
    ).toEqual({
      'P-Asserted-Identity': '<sip:+1415@carrier>',
      'remote-party-id': '<sip:+1415@carrier>;party=calling',
    });
    expect(assertedIdentity({ Privacy: 'id' })).toBeUndefined();
  });

  it('leaves a request without credentials or identity as it is (no copy)', () => {
    const clean = { ...invite(), headers: invite().headers.filter((h) => h.key !== 'p-asserted-identity') };
    expect(trustedInDialog(clean, { 'P-Asserted-Identity': '<sip:a@b>' })).toBe(clean);
  });

  it('removes credentials and claims; an asserted header keeps its place, once, with the decision value', () => {
    let request = withHeader(invite(), 'Proxy-Authorization', 'Digest username="u", response="r"');
    request = {
      ...request,
      headers: [
        ...request.headers,
        { key: 'p-asserted-identity', name: 'P-Asserted-Identity', value: '<tel:+1999>' },
      ],
    };
    request = withHeader(request, 'P-Preferred-Identity', '<sip:+1998@evil>');
    const out = trustedInDialog(request, { 'P-Asserted-Identity': '<sip:+1555@tandem>' });
    expect(headers(out, 'proxy-authorization')).toEqual([]);
    expect(headers(out, 'p-preferred-identity')).toEqual([]);
    expect(headers(out, 'p-asserted-identity')).toEqual(['<sip:+1555@tandem>']);
    const names = out.headers.map((h) => h.key);
    expect(names.indexOf('p-asserted-identity')).toBe(
      request.headers.findIndex((h) => h.key === 'p-asserted-identity'),
    );
    expect(headers(out, 'x-custom')).toEqual(['kept']);
    expect(trustedInDialog(request, undefined).headers.some((h) => h.key === 'p-asserted-identity')).toBe(
      false,
    );
  });
});
