import { describe, expect, it } from 'vitest';
import { SettingsError } from '../../platform/env';
import { loadMediaSettings, parseRtpengineList } from './media-settings';

describe('loadMediaSettings', () => {
  it('defaults to no rtpengine and unanchored fallback', () => {
    expect(loadMediaSettings({})).toEqual({ rtpengines: [], failurePolicy: 'unanchored' });
    expect(loadMediaSettings({ TANDEM_RTPENGINE: '' }).rtpengines).toEqual([]);
  });

  it('reads several instances and the policy', () => {
    expect(
      loadMediaSettings({
        TANDEM_RTPENGINE: '10.0.0.5:2223, rtp.example:2224,[::1]:2225',
        TANDEM_MEDIA_FAILURE_POLICY: 'reject',
      }),
    ).toEqual({
      rtpengines: [
        { host: '10.0.0.5', port: 2223 },
        { host: 'rtp.example', port: 2224 },
        { host: '::1', port: 2225 },
      ],
      failurePolicy: 'reject',
    });
  });

  it('names the variable when a value is bad', () => {
    expect(() => loadMediaSettings({ TANDEM_RTPENGINE: '10.0.0.5' })).toThrow(/TANDEM_RTPENGINE/);
    expect(() => loadMediaSettings({ TANDEM_MEDIA_FAILURE_POLICY: 'drop' })).toThrow(SettingsError);
  });
});

describe('parseRtpengineList', () => {
  it('rejects ports out of range and bare IPv6', () => {
    expect(parseRtpengineList('h:0')).toMatch(/not host:port/);
    expect(parseRtpengineList('h:70000')).toMatch(/not host:port/);
    expect(parseRtpengineList('::1:2223')).toMatch(/not host:port/);
  });
});
