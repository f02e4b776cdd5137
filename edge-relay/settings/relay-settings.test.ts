import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SettingsError } from '../../platform/env';
import { loadRelaySettings } from './relay-settings';

const base = {
  TANDEM_DECIDE_URL: 'http://127.0.0.1:8080/v1/routing/decide',
  TANDEM_RELAY_TOKEN: 'tdm_relay_0123456789abcdef',
};

describe('loadRelaySettings', () => {
  it('applies the defaults', () => {
    const s = loadRelaySettings(base);
    expect(s).toMatchObject({ address: '0.0.0.0', port: 5060, decideTimeoutMs: 800, retryAfterS: 5 });
    expect(s.tls).toBeUndefined();
    expect(s.decideCaFile).toBeUndefined();
    expect(loadRelaySettings({ ...base, TANDEM_DECIDE_CA_FILE: '/etc/tandem/ca.pem' }).decideCaFile).toBe(
      '/etc/tandem/ca.pem',
    );
    expect(s.timers).toEqual({ t1: 500, t2: 4000, t4: 5000, cancelWaitMs: 4000 });
  });

  it('puts TLS on the next port unless told otherwise', () => {
    const s = loadRelaySettings({
      ...base,
      TANDEM_SIP_PORT: '5070',
      TANDEM_TLS_CERT: 'c.pem',
      TANDEM_TLS_KEY: 'k.pem',
    });
    expect(s.tls).toEqual({ certFile: 'c.pem', keyFile: 'k.pem', port: 5071 });
  });

  it('takes the local decision when the environment names none', () => {
    const s = loadRelaySettings({}, { decideUrl: 'http://127.0.0.1:1/v1/routing/decide', relayToken: 't' });
    expect(s.decideUrl).toBe('http://127.0.0.1:1/v1/routing/decide');
  });

  it('reads the digest challenge order', () => {
    expect(loadRelaySettings(base).digestAlgorithms).toEqual(['SHA-256', 'MD5']);
    expect(loadRelaySettings({ ...base, TANDEM_DIGEST_ALGORITHMS: 'md5, sha-256' }).digestAlgorithms).toEqual(
      ['MD5', 'SHA-256'],
    );
    expect(() => loadRelaySettings({ ...base, TANDEM_DIGEST_ALGORITHMS: 'SHA-512' })).toThrow(
      /TANDEM_DIGEST_ALGORITHMS/,
    );
  });

  it('serves /healthz and /metrics only when a port is set', () => {
    expect(loadRelaySettings(base).http).toBeUndefined();
    expect(loadRelaySettings({ ...base, TANDEM_RELAY_HTTP_PORT: '9060' }).http).toEqual({
      address: '127.0.0.1',
      port: 9060,
    });
    expect(
      loadRelaySettings({ ...base, TANDEM_RELAY_HTTP_PORT: '9060', TANDEM_RELAY_HTTP_ADDRESS: '0.0.0.0' })
        .http,
    ).toEqual({ address: '0.0.0.0', port: 9060 });
    expect(() => loadRelaySettings({ ...base, TANDEM_RELAY_HTTP_PORT: 'x' })).toThrow(
      /TANDEM_RELAY_HTTP_PORT/,
    );
  });

  it('journals dialogs locally for 12 h unless a Redis is named', () => {
    expect(loadRelaySettings(base).dialogs).toEqual({
      keyPrefix: 'tandem:',
      ttlS: 43_200,
      expiryCheckS: 1,
      journalFsyncMs: 20,
      redisTimeoutMs: 500,
    });
    const shared = loadRelaySettings({
      ...base,
      TANDEM_REDIS_URL: 'rediss://:secret@redis.internal:6380/2',
      TANDEM_REDIS_PREFIX: 'eu1:',
      TANDEM_DIALOG_TTL_S: '3600',
      TANDEM_DIALOG_EXPIRY_CHECK_S: '5',
      TANDEM_DIALOG_FSYNC_MS: '0',
      TANDEM_REDIS_TIMEOUT_MS: '250',
    });
    expect(shared.dialogs).toEqual({
      redisUrl: 'rediss://:secret@redis.internal:6380/2',
      keyPrefix: 'eu1:',
      ttlS: 3600,
      expiryCheckS: 5,
      journalFsyncMs: 0,
      redisTimeoutMs: 250,
    });
    expect(() => loadRelaySettings({ ...base, TANDEM_DIALOG_FSYNC_MS: '1001' })).toThrow(
      /TANDEM_DIALOG_FSYNC_MS/,
    );
    expect(() => loadRelaySettings({ ...base, TANDEM_REDIS_TIMEOUT_MS: '10' })).toThrow(
      /TANDEM_REDIS_TIMEOUT_MS/,
    );
    expect(() => loadRelaySettings({ ...base, TANDEM_REDIS_URL: 'http://redis:6379' })).toThrow(
      /TANDEM_REDIS_URL/,
    );
    expect(() => loadRelaySettings({ ...base, TANDEM_DIALOG_TTL_S: '4' })).toThrow(/TANDEM_DIALOG_TTL_S/);
  });

  it('sheds new calls around 300 ms of lag unless told otherwise', () => {
    expect(loadRelaySettings(base).overloadLagMs).toBe(300);
    expect(loadRelaySettings({ ...base, TANDEM_OVERLOAD_LAG_MS: '0' }).overloadLagMs).toBe(0);
    expect(() => loadRelaySettings({ ...base, TANDEM_OVERLOAD_LAG_MS: '-1' })).toThrow(
      /TANDEM_OVERLOAD_LAG_MS/,
    );
  });

  it('drains for 90 s unless told otherwise, ending before systemd stops the unit', () => {
    const { drainS } = loadRelaySettings(base);
    expect(drainS).toBe(90);
    expect(loadRelaySettings({ ...base, TANDEM_DRAIN_S: '0' }).drainS).toBe(0);
    expect(() => loadRelaySettings({ ...base, TANDEM_DRAIN_S: '-1' })).toThrow(/TANDEM_DRAIN_S/);
    // systemd kills the relay at TimeoutStopSec: the drain and the stop after it must fit inside.
    const unit = readFileSync(resolve(import.meta.dirname, '../../infra/relay/tandem-relay.service'), 'utf8');
    const timeoutStopS = Number(/^TimeoutStopSec=(\d+)$/m.exec(unit)?.[1]);
    expect(timeoutStopS).toBeGreaterThan(drainS);
    expect(timeoutStopS).toBeLessThanOrEqual(drainS + 30);
  });

  it('reads the flood protection, on by default', () => {
    expect(loadRelaySettings(base).flood).toEqual({
      maxRejects: 30,
      windowS: 10,
      banS: 600,
      dropScanners: true,
    });
    expect(
      loadRelaySettings({ ...base, TANDEM_FLOOD_REJECTS: '0', TANDEM_DROP_SCANNERS: 'false' }).flood,
    ).toMatchObject({ maxRejects: 0, dropScanners: false });
    expect(() => loadRelaySettings({ ...base, TANDEM_DROP_SCANNERS: 'yes' })).toThrow(/TANDEM_DROP_SCANNERS/);
    expect(() => loadRelaySettings({ ...base, TANDEM_FLOOD_BAN_S: '0' })).toThrow(/TANDEM_FLOOD_BAN_S/);
  });

  it('limits inbound connections and closes silent ones', () => {
    expect(loadRelaySettings(base).connections).toEqual({ max: 10_000, firstMessageS: 30 });
    expect(
      loadRelaySettings({ ...base, TANDEM_SIP_MAX_CONNECTIONS: '500', TANDEM_SIP_FIRST_MESSAGE_S: '5' })
        .connections,
    ).toEqual({ max: 500, firstMessageS: 5 });
    expect(() => loadRelaySettings({ ...base, TANDEM_SIP_MAX_CONNECTIONS: '0' })).toThrow(
      /TANDEM_SIP_MAX_CONNECTIONS/,
    );
  });

  it('spools CDRs under the data folder: systemd state directory, else .tandem/relay', () => {
    const s = loadRelaySettings(base);
    expect(s.dataDir).toBe(resolve('.tandem/relay'));
    expect(s.cdr).toEqual({
      capMb: 1024,
      fsyncMs: 50,
      segmentBytes: 1024 * 1024,
      sealMs: 1000,
      batchSize: 500,
      backoffMinMs: 500,
      backoffMaxMs: 30_000,
      timeoutMs: 10_000,
    });
    expect(loadRelaySettings({ ...base, STATE_DIRECTORY: '/var/lib/tandem-relay' }).dataDir).toBe(
      '/var/lib/tandem-relay',
    );
    expect(loadRelaySettings({ ...base, STATE_DIRECTORY: '/var/lib/a:/var/lib/b' }).dataDir).toBe(
      '/var/lib/a',
    );
    expect(
      loadRelaySettings({ ...base, STATE_DIRECTORY: '/var/lib/tandem-relay', TANDEM_DATA_DIR: '/srv/relay' })
        .dataDir,
    ).toBe('/srv/relay');
  });

  it('reads the CDR spool and shipping variables', () => {
    const s = loadRelaySettings({
      ...base,
      TANDEM_CDR_URL: 'https://api.example.net/v1/cdrs',
      TANDEM_SPOOL_DIR: '/srv/spool',
      TANDEM_CDR_SPOOL_CAP_MB: '256',
      TANDEM_CDR_FSYNC_MS: '10',
      TANDEM_CDR_BATCH: '100',
    });
    expect(s.cdr).toMatchObject({
      url: 'https://api.example.net/v1/cdrs',
      spoolDir: '/srv/spool',
      capMb: 256,
      fsyncMs: 10,
      batchSize: 100,
    });
    expect(() => loadRelaySettings({ ...base, TANDEM_CDR_BATCH: '501' })).toThrow(/TANDEM_CDR_BATCH/);
    expect(() => loadRelaySettings({ ...base, TANDEM_CDR_SPOOL_CAP_MB: '0' })).toThrow(
      /TANDEM_CDR_SPOOL_CAP_MB/,
    );
    expect(() => loadRelaySettings({ ...base, TANDEM_CDR_URL: 'api/v1/cdrs' })).toThrow(/TANDEM_CDR_URL/);
    expect(() => loadRelaySettings({ ...base, TANDEM_CDR_FSYNC_MS: 'soon' })).toThrow(/TANDEM_CDR_FSYNC_MS/);
  });

  it('asks for the CDR URL when the decision is a Lambda function URL (it serves nothing else)', () => {
    const aws = {
      ...base,
      TANDEM_DECIDE_URL: 'https://abc123.lambda-url.eu-central-1.on.aws/v1/routing/decide',
    };
    expect(() => loadRelaySettings(aws)).toThrow(/TANDEM_CDR_URL: is required/);
    expect(
      loadRelaySettings({
        ...aws,
        TANDEM_CDR_URL: 'https://x.execute-api.eu-central-1.amazonaws.com/v1/cdrs',
      }).cdr.url,
    ).toBe('https://x.execute-api.eu-central-1.amazonaws.com/v1/cdrs');
  });

  it('names the variable that is wrong or missing', () => {
    expect(() => loadRelaySettings({ ...base, TANDEM_SIP_PORT: '70000' })).toThrow(/TANDEM_SIP_PORT/);
    expect(() => loadRelaySettings({ TANDEM_RELAY_TOKEN: base.TANDEM_RELAY_TOKEN })).toThrow(
      /TANDEM_DECIDE_URL/,
    );
    expect(() => loadRelaySettings({ ...base, TANDEM_TLS_CERT: 'c.pem' })).toThrow(/TANDEM_TLS_KEY/);
    expect(() => loadRelaySettings({ ...base, TANDEM_SIP_ADDRESS: 'nowhere' })).toThrow(SettingsError);
  });
});
