import { describe, expect, it } from 'vitest';
import { hasCodec, sdpAudioCodecs } from './sdp-codecs';

const sdp = [
  'v=0',
  'o=- 1 1 IN IP4 192.0.2.10',
  's=-',
  'c=IN IP4 192.0.2.10',
  't=0 0',
  'm=audio 4000 RTP/AVP 0 8 96 101',
  'a=rtpmap:96 opus/48000/2',
  'a=rtpmap:101 telephone-event/8000',
  'a=fmtp:101 0-16',
  'm=video 4002 RTP/AVP 97',
  'a=rtpmap:97 H264/90000',
  '',
].join('\r\n');

describe('sdpAudioCodecs', () => {
  it('names static and dynamic payload types of audio sections only', () => {
    expect(sdpAudioCodecs(sdp)).toEqual(['PCMU', 'PCMA', 'opus', 'telephone-event']);
  });

  it('prefers an explicit rtpmap over the static table and lists a codec once', () => {
    const body = 'm=audio 1 RTP/AVP 0 100\na=rtpmap:0 pcmu/8000\na=rtpmap:100 PCMU/16000\n';
    expect(sdpAudioCodecs(body)).toEqual(['pcmu']);
  });

  it('returns nothing without audio', () => {
    expect(sdpAudioCodecs('v=0\r\nm=video 1 RTP/AVP 97\r\n')).toEqual([]);
  });
});

describe('hasCodec', () => {
  it('ignores case', () => {
    expect(hasCodec(['PCMU'], 'pcmu')).toBe(true);
    expect(hasCodec(['PCMU'], 'PCMA')).toBe(false);
  });
});
