import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallOutcome } from '../../edge-relay/events';
import type { Relay } from '../../edge-relay/service';
import { freePort } from '../../platform/free-port';
import { startTestStack, type TestStack } from '../support/stack';
import { tandemConfig } from './support/tandem-config';
import { startTestRelay } from './support/test-relay';
import { makeCert, type TestCert } from './support/tls-certs';
import {
  headerOf,
  type SipText,
  sipReader,
  sipText,
  startTlsUas,
  type TlsUas,
  tlsPeer,
} from './support/tls-sip';

// Inbound TLS with pinned client certificates, end to end: an IPBX whose tls.client_cert_sha256
// names one certificate calls through the relay (Node TLS as the IPBX: the Debian sipp has no
// TLS) to a carrier over verified TLS. The relay reports the fingerprint; the decision decides.
const CALLEE = '+821012345678';

let stack: TestStack;
let relay: Relay;
let dir: string;
let carrier: TlsUas;
let relayCert: TestCert;
let pinned: TestCert;
let other: TestCert;
const calls: CallOutcome[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tandem-tls-pin-'));
  relayCert = makeCert(dir, 'relay', { cn: '127.0.0.1', san: ['IP:127.0.0.1'] });
  const carrierCert = makeCert(dir, 'carrier', { cn: '127.0.0.1', san: ['IP:127.0.0.1'] });
  pinned = makeCert(dir, 'pbx', { cn: 'pbx.acme.example' });
  other = makeCert(dir, 'intruder', { cn: 'pbx.acme.example' });
  stack = await startTestStack();
  relay = await startTestRelay(stack, {
    tls: { certFile: relayCert.certFile, keyFile: relayCert.keyFile, port: await freePort() },
  });
  relay.events.on('call', (c) => calls.push(c));
  // The carrier answers 486 (no failover on it): reaching it proves the call was routed.
  carrier = await startTlsUas({ cert: carrierCert.cert, key: carrierCert.key, answer: '486 Busy Here' });
  const config = tandemConfig(stack);
  const customer = await config.customer();
  // Pinned as `openssl x509 -noout -fingerprint -sha256` prints it; the API stores it as the relay reports it.
  const openssl = pinned.sha256.toUpperCase().match(/../g)!.join(':');
  const ipbx = await stack.api<{ tls: { client_cert_sha256: string[] } }>('POST', '/v1/ipbxs', {
    customer_id: customer.id,
    name: 'pinned pbx',
    hostname: '127.0.0.1',
    port: 5061,
    transport: 'tls',
    allowed_sources: [{ cidr: '127.0.0.1' }],
    tls: { client_cert_sha256: [openssl] },
  });
  expect(ipbx.tls.client_cert_sha256).toEqual([pinned.sha256]);
  const provider = await stack.api<{ id: string }>('POST', '/v1/providers', {
    name: 'tls carrier',
    hostname: '127.0.0.1',
    port: carrier.port,
    transport: 'tls',
    tls: { ca_pem: carrierCert.cert },
  });
  await config.route(customer.id, provider.id, '+82', 1);
});

afterAll(async () => {
  await carrier?.close();
  await relay?.stop();
  await stack?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const token = () => randomBytes(6).toString('hex');

/** An INVITE from the IPBX, then the hop-by-hop ACK of its final answer; the final answer. */
async function invite(
  transport: 'TLS' | 'UDP',
  localPort: number,
  send: (text: string) => void,
  next: () => Promise<SipText>,
): Promise<SipText> {
  const port = transport === 'TLS' ? relay.ports.tls! : relay.ports.udp;
  const uri = `sip:${CALLEE}@127.0.0.1:${port}${transport === 'TLS' ? ';transport=tls' : ''}`;
  const via = `SIP/2.0/${transport} 127.0.0.1:${localPort};branch=z9hG4bK${token()};rport`;
  const from = `<sip:+14155550100@127.0.0.1>;tag=${token()}`;
  const callId = `pin-${token()}`;
  const common: [string, string][] = [
    ['Via', via],
    ['Max-Forwards', '70'],
    ['From', from],
  ];
  send(
    sipText(`INVITE ${uri} SIP/2.0`, [
      ...common,
      ['To', `<sip:${CALLEE}@127.0.0.1>`],
      ['Call-ID', callId],
      ['CSeq', '1 INVITE'],
      ['Contact', `<sip:pbx@127.0.0.1:${localPort};transport=${transport.toLowerCase()}>`],
    ]),
  );
  let answer = await next();
  while (Number(answer.start.split(' ')[1]) < 200) answer = await next();
  send(
    sipText(`ACK ${uri} SIP/2.0`, [
      ...common,
      ['To', headerOf(answer, 'to') ?? ''],
      ['Call-ID', callId],
      ['CSeq', '1 ACK'],
    ]),
  );
  return answer;
}

async function overTls(cert?: TestCert): Promise<string> {
  const peer = await tlsPeer({ port: relay.ports.tls!, ca: relayCert.cert, ...(cert ? { cert } : {}) });
  try {
    const answer = await invite('TLS', peer.socket.localPort!, (t) => peer.socket.write(t), peer.next);
    return answer.start;
  } finally {
    peer.close();
  }
}

describe('inbound TLS: pinned client certificates', () => {
  it('the pinned certificate → the call is routed (to the carrier, which answers 486)', async () => {
    const before = carrier.requests.length;
    expect(await overTls(pinned)).toBe('SIP/2.0 486 Busy Here');
    expect(carrier.requests.slice(before)).toEqual(['INVITE', 'ACK']);
  });

  it('no client certificate → 403 client_certificate_required, nothing reaches the carrier', async () => {
    const before = carrier.requests.length;
    expect(await overTls()).toBe('SIP/2.0 403 client_certificate_required');
    expect(calls.at(-1)).toMatchObject({ status: 403, refused: 'client_certificate_required', attempts: [] });
    expect(carrier.requests.length).toBe(before);
  });

  it('another certificate → 403 client_certificate_mismatch', async () => {
    const before = carrier.requests.length;
    expect(await overTls(other)).toBe('SIP/2.0 403 client_certificate_mismatch');
    expect(carrier.requests.length).toBe(before);
  });

  it('calls over UDP from the same source are not concerned (the source address is their proof)', async () => {
    const socket = createSocket('udp4');
    await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
    const queue: SipText[] = [];
    const read = sipReader((m) => queue.push(m));
    socket.on('message', (m) => read(m));
    const next = async () => {
      for (let i = 0; i < 500 && queue.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
      const m = queue.shift();
      if (!m) throw new Error('no answer over UDP');
      return m;
    };
    try {
      const send = (t: string) => socket.send(t, relay.ports.udp, '127.0.0.1');
      const answer = await invite('UDP', socket.address().port, send, next);
      expect(answer.start).toBe('SIP/2.0 486 Busy Here');
    } finally {
      socket.close();
    }
  });
});
