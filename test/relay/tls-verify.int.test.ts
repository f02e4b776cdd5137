import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AttemptOutcome } from '../../edge-relay/events';
import type { LogFields, Logger } from '../../edge-relay/log';
import type { Relay } from '../../edge-relay/service';
import { startTransport, type TlsRefusal } from '../../edge-relay/transport/sip-transport';
import { freePort } from '../../platform/free-port';
import { startTestStack, type TestStack } from '../support/stack';
import { startSipp } from './support/sipp';
import { tandemConfig } from './support/tandem-config';
import { startTestRelay } from './support/test-relay';
import { makeCert, type TestCert } from './support/tls-certs';
import { startTlsUas, type TlsUas } from './support/tls-sip';

// Outbound TLS end to end: API (DynamoDB Local) → decision → relay → a Node TLS carrier (the
// Debian sipp has no TLS); the IPBX calls over UDP with sipp. A carrier the relay cannot verify
// fails its attempt like a connect error: the call fails over to a second carrier over UDP.
const CALLEE = '+821012345678';

let stack: TestStack;
let relay: Relay;
let config: ReturnType<typeof tandemConfig>;
let dir: string;
const attempts: AttemptOutcome[] = [];
const warnings: { msg: string; fields: LogFields | undefined }[] = [];
const running: TlsUas[] = [];
const certs: Record<'localhost' | 'ip' | 'wrongName', TestCert> = {} as never;

const quiet = () => {};
const logger: Logger = {
  debug: quiet,
  info: quiet,
  error: quiet,
  warn: (msg, fields) => warnings.push({ msg, fields }),
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tandem-tls-verify-'));
  certs.localhost = makeCert(dir, 'localhost', { cn: 'localhost', san: ['DNS:localhost'] });
  certs.ip = makeCert(dir, 'ip', { cn: '127.0.0.1', san: ['IP:127.0.0.1'] });
  certs.wrongName = makeCert(dir, 'wrong-name', { cn: 'other.example', san: ['DNS:other.example'] });
  stack = await startTestStack();
  config = tandemConfig(stack);
  // With a TLS listener of its own: the relay Record-Routes the carrier's leg on its TLS port.
  const own = makeCert(dir, 'relay', { cn: '127.0.0.1', san: ['IP:127.0.0.1'] });
  const tls = { certFile: own.certFile, keyFile: own.keyFile, port: await freePort() };
  relay = await startTestRelay(stack, { tls }, { logger });
  relay.events.on('attempt', (a) => attempts.push(a));
});

afterAll(async () => {
  for (const uas of running) await uas.close();
  await relay?.stop();
  await stack?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

type TlsSettings = { verify_server?: boolean; ca_pem?: string | null };

/**
 * A customer whose IPBX (sipp, UDP) routes +82 first to a carrier over TLS at `hostname`, served
 * by a Node TLS UAS with `cert`, then (when `fallback`) to a carrier over UDP.
 */
async function world(cert: TestCert, hostname: string, tls: TlsSettings, fallback: boolean) {
  const uas = await startTlsUas({ cert: cert.cert, key: cert.key });
  running.push(uas);
  const customer = await config.customer();
  const ipbxPort = await freePort();
  await config.ipbx(customer.id, ipbxPort, 'udp');
  const carrier = await stack.api<{ id: string; tls: unknown }>('POST', '/v1/providers', {
    name: `tls-carrier-${Math.random().toString(36).slice(2, 8)}`,
    hostname,
    port: uas.port,
    transport: 'tls',
    timers: { provisional_ms: 2000, final_ms: 10_000 },
    tls,
  });
  await config.route(customer.id, carrier.id, '+82', 1);
  let backup: { id: string; port: number } | undefined;
  if (fallback) {
    const port = await freePort();
    backup = { id: (await config.provider(port, 'udp')).id, port };
    await config.route(customer.id, backup.id, '+82', 2);
  }
  return { uas, ipbxPort, carrier, backup };
}

/** One call from the IPBX through the relay; the sipp exit code (0: answered, ACKed, hung up). */
async function call(ipbxPort: number, backupPort?: number): Promise<{ caller: number; backup?: number }> {
  const backup = backupPort
    ? await startSipp({ scenario: 'uas-answer.xml', port: backupPort, transport: 'udp' })
    : undefined;
  const uac = await startSipp({
    scenario: 'uac-call.xml',
    port: ipbxPort,
    transport: 'udp',
    remote: `127.0.0.1:${relay.ports.udp}`,
    service: CALLEE,
    keys: { caller: '+14155550100' },
  });
  const caller = await uac.done;
  expect(caller.code, caller.output).toBe(0);
  if (!backup) return { caller: caller.code };
  const done = await Promise.race([
    backup.done,
    new Promise((r) => setTimeout(r, 5000)).then(() => backup.stop()),
  ]);
  return { caller: caller.code, backup: done.code };
}

const codesOf = (id: string) => attempts.filter((a) => a.target_id === id).map((a) => `${a.code}:${a.cause}`);
const warningsFor = (port: number) =>
  warnings.filter((w) => w.msg === 'tls peer not verified' && w.fields?.['peer'] === `127.0.0.1:${port}`);

// Sequential on purpose (each test writes config, then calls).
describe('outbound TLS: the relay verifies the carrier', () => {
  it('a self-signed carrier without ca_pem is refused: no INVITE reaches it, the call fails over', async () => {
    const w = await world(certs.localhost, 'localhost', {}, true);
    expect(w.carrier.tls).toEqual({ verify_server: true, ca_pem: null, client_cert_sha256: [] });
    expect(await call(w.ipbxPort, w.backup!.port)).toEqual({ caller: 0, backup: 0 });
    expect(w.uas.requests).toEqual([]);
    expect(codesOf(w.carrier.id)).toEqual(['503:response']);
    expect(codesOf(w.backup!.id)).toEqual(['200:response']);
    const [warning] = warningsFor(w.uas.port);
    expect(warning?.fields).toMatchObject({
      servername: 'localhost',
      reason: expect.stringMatching(/SELF_SIGNED/),
    });
  });

  it('with the carrier certificate as ca_pem, the call goes through it (SNI = its host name)', async () => {
    const w = await world(certs.localhost, 'localhost', { ca_pem: certs.localhost.cert }, false);
    await call(w.ipbxPort);
    expect(w.uas.requests).toEqual(['INVITE', 'ACK', 'BYE']);
    expect(w.uas.servernames).toEqual(['localhost']);
    expect(codesOf(w.carrier.id)).toEqual(['200:response']);
    expect(warningsFor(w.uas.port)).toEqual([]);
  });

  it('a certificate for another name is refused even when its CA is trusted', async () => {
    const w = await world(certs.wrongName, 'localhost', { ca_pem: certs.wrongName.cert }, true);
    expect(await call(w.ipbxPort, w.backup!.port)).toEqual({ caller: 0, backup: 0 });
    expect(w.uas.requests).toEqual([]);
    expect(codesOf(w.carrier.id)).toEqual(['503:response']);
    const [warning] = warningsFor(w.uas.port);
    expect(warning?.fields?.['reason']).toMatch(/ERR_TLS_CERT_ALTNAME_INVALID/);
    expect(warning?.fields?.['reason']).toMatch(/other\.example/);
  });

  it('an IP literal target is checked against the IP SANs (no SNI)', async () => {
    const good = await world(certs.ip, '127.0.0.1', { ca_pem: certs.ip.cert }, false);
    await call(good.ipbxPort);
    expect(good.uas.requests).toEqual(['INVITE', 'ACK', 'BYE']);
    expect(good.uas.servernames).toEqual([false]);
    // A certificate naming only `localhost`: right CA, but not for 127.0.0.1.
    const bad = await world(certs.localhost, '127.0.0.1', { ca_pem: certs.localhost.cert }, true);
    expect(await call(bad.ipbxPort, bad.backup!.port)).toEqual({ caller: 0, backup: 0 });
    expect(bad.uas.requests).toEqual([]);
    expect(warningsFor(bad.uas.port)[0]?.fields?.['reason']).toMatch(/ERR_TLS_CERT_ALTNAME_INVALID/);
  });

  it('verify_server: false (the explicit opt-out) carries the call to an unverifiable carrier', async () => {
    const w = await world(certs.wrongName, 'localhost', { verify_server: false }, false);
    await call(w.ipbxPort);
    expect(w.uas.requests).toEqual(['INVITE', 'ACK', 'BYE']);
    expect(warningsFor(w.uas.port)).toEqual([]);
  });
});

describe('transport: which TLS connection a send may use', () => {
  const options = (n: number) =>
    [
      `OPTIONS sip:uas@localhost SIP/2.0`,
      `Via: SIP/2.0/TLS 127.0.0.1:5061;branch=z9hG4bKreuse${n}`,
      'From: <sip:relay@127.0.0.1>;tag=r',
      'To: <sip:uas@localhost>',
      `Call-ID: reuse-${n}`,
      `CSeq: ${n} OPTIONS`,
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n');
  const until = async (done: () => boolean) => {
    for (let i = 0; i < 200 && !done(); i++) await new Promise((r) => setTimeout(r, 10));
  };

  it('a target to verify never rides an unverified connection; sends without a policy reuse the open one', async () => {
    const uas = await startTlsUas({ cert: certs.localhost.cert, key: certs.localhost.key });
    running.push(uas);
    const refusals: TlsRefusal[] = [];
    const t = await startTransport({
      address: '127.0.0.1',
      udpPort: 0,
      tcpPort: 0,
      onMessage: () => {},
      onError: () => {},
      onTlsRefused: (r) => refusals.push(r),
    });
    try {
      const to = { transport: 'tls' as const, host: 'localhost', port: uas.port };
      const trusted = { ...to, tls: { verify: true, ca: certs.localhost.cert } };
      t.send({ ...to, tls: { verify: false } }, options(1));
      await until(() => uas.requests.length === 1);
      t.send(trusted, options(2)); // the open connection was not verified: a new one
      await until(() => uas.requests.length === 2);
      t.send(to, options(3)); // no policy (in-dialog, responses): the open connection
      t.send(trusted, options(4)); // verified for this name and these CAs: the same
      await until(() => uas.requests.length === 4);
      expect(uas.servernames).toEqual(['localhost', 'localhost']);
      // System CAs do not know the carrier: every send waiting for that connection fails.
      const failed: unknown[] = [];
      t.send({ ...to, tls: { verify: true } }, options(5), (e) => failed.push(e));
      t.send({ ...to, tls: { verify: true } }, options(6), (e) => failed.push(e));
      await until(() => failed.length === 2);
      expect(failed).toHaveLength(2);
      // One refused handshake, or two when the second name lookup ends after the first failed.
      expect(refusals.length).toBeGreaterThanOrEqual(1);
      for (const refusal of refusals)
        expect(refusal).toEqual({
          address: '127.0.0.1',
          port: uas.port,
          servername: 'localhost',
          reason: expect.stringMatching(/SELF_SIGNED/),
        });
      expect(uas.requests).toHaveLength(4);
    } finally {
      await t.close();
    }
  });
});
