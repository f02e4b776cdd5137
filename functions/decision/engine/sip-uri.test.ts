import { describe, expect, it } from 'vitest';
import { hostOf, uriHost, uriOfHeader, userOf } from './sip-uri';

describe('sip-uri', () => {
  it.each([
    ['"Alice" <sip:+12125550100@pbx.example>;tag=1', 'sip:+12125550100@pbx.example'],
    ['<sip:100@10.0.0.1:5060;transport=tcp>', 'sip:100@10.0.0.1:5060;transport=tcp'],
    ['sip:200@host;tag=abc', 'sip:200@host'],
  ])('uriOfHeader(%s)', (value, uri) => expect(uriOfHeader(value)).toBe(uri));

  it.each([
    ['sip:0212345678@relay.example;user=phone', '0212345678'],
    ['sip:%2B8212345@relay', '+8212345'],
    ['sips:+1555;npdi@h', '+1555'],
    ['tel:+14155550100', '+14155550100'],
    ['sip:relay.example', ''],
    ['sip:alice:secret@h', 'alice'],
  ])('userOf(%s)', (uri, user) => expect(userOf(uri)).toBe(user));

  it.each([
    ['sip:1@Relay.Example:5060;transport=udp', 'relay.example'],
    ['sip:1@[2001:db8::1]:5060', '2001:db8::1'],
    ['sip:pbx.example', 'pbx.example'],
  ])('hostOf(%s)', (uri, host) => expect(hostOf(uri)).toBe(host));

  it('brackets IPv6 hosts', () => {
    expect(uriHost('2001:db8::1')).toBe('[2001:db8::1]');
    expect(uriHost('10.0.0.1')).toBe('10.0.0.1');
  });
});
