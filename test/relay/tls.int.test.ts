import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Relay, startRelay } from '../../edge-relay/service';
import { freePort } from '../../platform/free-port';
import { makeCert } from './support/tls-certs';

// TLS listener with a throwaway self-signed certificate; the Debian sipp has no TLS, so Node is the peer.
let relay: Relay;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tandem-tls-'));
  const { certFile, keyFile } = makeCert(dir, 'relay', { cn: '127.0.0.1' });
  relay = await startRelay({
    address: '127.0.0.1',
    port: await freePort(),
    tls: { certFile, keyFile, port: await freePort() },
    // OPTIONS to the relay never asks the decision.
    decideUrl: 'http://127.0.0.1:9/v1/routing/decide',
    relayToken: 'unused-token-for-options',
    logLevel: 'silent',
    dataDir: dir,
  });
});

afterAll(async () => {
  await relay?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('TLS transport', () => {
  it('answers OPTIONS to the relay over TLS with 200 on the same connection', async () => {
    const port = relay.ports.tls!;
    const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false });
    await new Promise<void>((r) => socket.once('secureConnect', () => r()));
    const local = socket.localPort;
    socket.write(
      [
        `OPTIONS sip:127.0.0.1:${port};transport=tls SIP/2.0`,
        `Via: SIP/2.0/TLS 127.0.0.1:${local};branch=z9hG4bKtls1`,
        'From: <sip:probe@127.0.0.1>;tag=p1',
        `To: <sip:127.0.0.1:${port}>`,
        'Call-ID: tls-options-1',
        'CSeq: 1 OPTIONS',
        'Max-Forwards: 70',
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n'),
    );
    const answer = await new Promise<string>((r) =>
      socket.once('data', (d: Buffer) => r(d.toString('latin1'))),
    );
    socket.destroy();
    expect(answer).toMatch(/^SIP\/2\.0 200 OK\r\n/);
    expect(answer).toContain('Call-ID: tls-options-1');
    expect(answer).toMatch(/Allow: INVITE, ACK, CANCEL, BYE/);
  });
});
