import { describe, expect, it } from 'vitest';
import { buildAnswerBody, buildDeleteBody, buildOfferBody, isOverloaded, isUnknownCall } from './ng-flags';

const sdp =
  'v=0\r\nc=IN IP4 192.0.2.1\r\nm=audio 4000 RTP/AVP 0 101\r\na=rtpmap:101 telephone-event/8000\r\n';
const base = { callId: 'c1', fromTag: 'a', viaBranch: 'z9hG4bK-1', sdp };

describe('buildOfferBody', () => {
  it('hides topology, removes ICE and names the attempt branch', () => {
    expect(buildOfferBody(base)).toEqual({
      ok: true,
      body: {
        'call-id': 'c1',
        'from-tag': 'a',
        'via-branch': 'z9hG4bK-1',
        sdp,
        replace: ['origin', 'session-connection'],
        ICE: 'remove',
      },
    });
  });

  it('applies the receiving side codec policy', () => {
    const built = buildOfferBody({ ...base, policy: { codecs: { allow: ['PCMA'], transcode: ['PCMA'] } } });
    expect(built).toMatchObject({ ok: true, body: { codec: { mask: ['PCMU'], transcode: ['PCMA'] } } });
  });

  it('transcodes always for an in-band DTMF target, so RFC 2833 events become tones', () => {
    const built = buildOfferBody({ ...base, policy: { dtmf_mode: 'inband' } });
    expect(built).toMatchObject({
      ok: true,
      body: { codec: { mask: ['telephone-event'] }, flags: ['always transcode'] },
    });
  });

  it('carries the to-tag of an in-dialog offer', () => {
    expect(buildOfferBody({ ...base, toTag: 'b' })).toMatchObject({ ok: true, body: { 'to-tag': 'b' } });
  });

  it('refuses an offer the policy leaves empty', () => {
    const built = buildOfferBody({ ...base, policy: { codecs: { allow: ['G722'], transcode: [] } } });
    expect(built).toMatchObject({ ok: false, reason: expect.stringMatching(/PCMU/) });
  });
});

describe('buildAnswerBody', () => {
  it('addresses the answered branch', () => {
    expect(buildAnswerBody({ ...base, toTag: 'b' })).toMatchObject({
      'from-tag': 'a',
      'to-tag': 'b',
      'via-branch': 'z9hG4bK-1',
      replace: ['origin', 'session-connection'],
    });
  });
});

describe('buildDeleteBody', () => {
  it('deletes the whole call by call-id alone', () => {
    expect(buildDeleteBody({ callId: 'c1', fromTag: 'a' })).toEqual({ 'call-id': 'c1' });
  });

  it('deletes one branch with from-tag and via-branch', () => {
    expect(buildDeleteBody({ callId: 'c1', fromTag: 'a', viaBranch: 'z9hG4bK-1' })).toEqual({
      'call-id': 'c1',
      'from-tag': 'a',
      'via-branch': 'z9hG4bK-1',
    });
  });
});

describe('reply classification', () => {
  it('tells unknown calls and overload apart from bad SDP', () => {
    expect(isUnknownCall('Unknown call-id')).toBe(true);
    expect(isOverloaded('Parallel session limit reached')).toBe(true);
    expect(isOverloaded('Incomplete SDP specification')).toBe(false);
    expect(isUnknownCall('Incomplete SDP specification')).toBe(false);
  });
});
