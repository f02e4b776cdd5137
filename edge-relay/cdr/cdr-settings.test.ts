import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { relayConfig } from '../config';
import { cdrSinkSettings, defaultCdrUrl } from './cdr-settings';

describe('CDR settings', () => {
  it('sends CDRs to the API that serves the decision, keeping a path prefix', () => {
    expect(defaultCdrUrl('http://127.0.0.1:8080/v1/routing/decide')).toBe('http://127.0.0.1:8080/v1/cdrs');
    expect(defaultCdrUrl('https://pbx.example.net/tandem/v1/routing/decide?x=1')).toBe(
      'https://pbx.example.net/tandem/v1/cdrs',
    );
    expect(defaultCdrUrl('https://decide.example.net/decide')).toBe('https://decide.example.net/v1/cdrs');
  });

  it('resolves the spool folder, the cap in bytes and the token from the relay config', () => {
    const config = relayConfig.parse({
      decideUrl: 'http://127.0.0.1:8080/v1/routing/decide',
      relayToken: 'tdm_relay_0123456789abcdef',
      dataDir: '/var/lib/tandem-relay',
      cdr: { capMb: 2 },
    });
    expect(cdrSinkSettings(config)).toEqual({
      url: 'http://127.0.0.1:8080/v1/cdrs',
      token: 'tdm_relay_0123456789abcdef',
      spoolDir: join('/var/lib/tandem-relay', 'cdr-spool'),
      capBytes: 2 * 1024 * 1024,
      fsyncMs: 50,
      segmentBytes: 1024 * 1024,
      sealMs: 1000,
      batchSize: 500,
      backoff: { minMs: 500, maxMs: 30_000 },
      timeoutMs: 10_000,
    });
    const own = cdrSinkSettings({
      ...config,
      cdr: { ...config.cdr, url: 'https://api/v1/cdrs', spoolDir: '/s' },
    });
    expect(own).toMatchObject({ url: 'https://api/v1/cdrs', spoolDir: '/s' });
    expect(() => relayConfig.parse({ ...config, cdr: { backoffMinMs: 5000, backoffMaxMs: 1000 } })).toThrow(
      /backoffMaxMs/,
    );
  });
});
