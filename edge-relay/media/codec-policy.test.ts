import { describe, expect, it } from 'vitest';
import { codecFlags } from './codec-policy';

const open = { allow: [], transcode: [] };

describe('codecFlags', () => {
  it('leaves the offer alone when the policy is open', () => {
    expect(codecFlags(['PCMU', 'PCMA', 'telephone-event'], open, 'rfc2833')).toMatchObject({
      acceptable: true,
      codec: undefined,
    });
  });

  it('strips codecs the target does not allow', () => {
    expect(
      codecFlags(['PCMU', 'PCMA', 'G729', 'telephone-event'], { allow: ['pcma'], transcode: [] }, 'rfc2833'),
    ).toMatchObject({ acceptable: true, codec: { strip: ['PCMU', 'G729'] } });
  });

  it('masks instead of stripping when transcoding, so the offerer may keep its codec', () => {
    expect(
      codecFlags(['PCMU', 'telephone-event'], { allow: ['PCMA'], transcode: ['PCMA'] }, 'rfc2833'),
    ).toMatchObject({ acceptable: true, codec: { mask: ['PCMU'], transcode: ['PCMA'] } });
  });

  it('adds telephone-event when transcoding an offer that has none and the target wants RFC 2833', () => {
    expect(codecFlags(['G729'], { allow: [], transcode: ['PCMA'] }, 'rfc2833')).toMatchObject({
      acceptable: true,
      codec: { transcode: ['PCMA', 'telephone-event'] },
    });
  });

  it('does not transcode a codec the offer already has', () => {
    expect(codecFlags(['PCMA'], { allow: ['PCMA'], transcode: ['PCMA'] }, 'rfc2833')).toMatchObject({
      acceptable: true,
      codec: undefined,
    });
  });

  it('handles DTMF modes that are not RFC 2833', () => {
    expect(codecFlags(['PCMU', 'telephone-event'], open, 'inband')).toMatchObject({
      acceptable: true,
      codec: { mask: ['telephone-event'] },
    });
    expect(codecFlags(['PCMU', 'telephone-event'], open, 'info')).toMatchObject({
      acceptable: true,
      codec: { strip: ['telephone-event'] },
    });
    expect(codecFlags(['PCMU'], open, 'info')).toMatchObject({ acceptable: true, codec: undefined });
    expect(codecFlags(['PCMU', 'telephone-event'], open, 'inband')).toMatchObject({ alwaysTranscode: true });
    expect(codecFlags(['PCMU'], open, 'inband')).toMatchObject({ alwaysTranscode: false });
    expect(codecFlags(['PCMU', 'telephone-event'], open, 'rfc2833')).toMatchObject({
      alwaysTranscode: false,
    });
  });

  it('refuses an offer with no allowed voice codec and nothing to transcode to', () => {
    const decision = codecFlags(['G729', 'telephone-event'], { allow: ['PCMA'], transcode: [] }, 'rfc2833');
    expect(decision).toMatchObject({ acceptable: false, reason: expect.stringMatching(/G729/) });
  });

  it('keeps comfort noise and events out of the allow filter', () => {
    expect(
      codecFlags(['PCMA', 'CN', 'telephone-event'], { allow: ['PCMA'], transcode: [] }, 'rfc2833'),
    ).toMatchObject({ acceptable: true, codec: undefined });
  });
});
