import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { intake } from '../../edge-relay/sip/intake';
import { header, headers, parseMessage } from '../../edge-relay/sip/message';
import { expectedOutcome, fixtureDir, loadTortureFixtures } from './torture-fixtures';

const fixtures = loadTortureFixtures();
const udp = { transport: 'udp', address: '192.0.2.99', port: 5062 } as const;
const run = (name: string) => intake(fixtures.get(name)!, udp);

describe('RFC 4475 torture messages through intake', () => {
  it('has all 49 fixtures byte-exact (SHA256SUMS) and an expectation for each', () => {
    const sums = readFileSync(`${fixtureDir}SHA256SUMS`, 'utf8').trim().split('\n');
    expect(sums).toHaveLength(49);
    for (const line of sums) {
      const [sum, file] = line.split(/\s+/);
      const bytes = Buffer.from(fixtures.get(file!.replace(/\.dat$/, ''))!, 'latin1');
      expect(createHash('sha256').update(bytes).digest('hex'), file).toBe(sum);
    }
    expect(Object.keys(expectedOutcome).sort()).toEqual([...fixtures.keys()]);
  });

  it.each([...fixtures.keys()])('%s gets its class outcome', (name) => {
    const outcome = run(name);
    const expected = expectedOutcome[name]!;
    expect(outcome.kind, JSON.stringify(outcome).slice(0, 300)).toBe(expected.kind);
    if (expected.kind === 'reply' && outcome.kind === 'reply') {
      expect(outcome.raw.startsWith(`SIP/2.0 ${expected.status} `)).toBe(true);
      expect(outcome.raw.endsWith('\r\nContent-Length: 0\r\n\r\n')).toBe(true);
    }
  });

  it('answers with the request Via, From, Call-ID, CSeq and a tagged To, naming the problem', () => {
    const outcome = run('mismatch01');
    expect(outcome.kind).toBe('reply');
    const raw = outcome.kind === 'reply' ? outcome.raw : '';
    const lines = raw.split('\r\n');
    expect(lines[0]).toBe('SIP/2.0 400 CSeq Method Does Not Match Request Method');
    expect(lines).toContain('Via: SIP/2.0/UDP host.example.com;branch=z9hG4bKkdjuw');
    expect(lines).toContain('From: sip:caller@example.net;tag=34525');
    expect(lines).toContain('Call-ID: mismatch01.dj0234sxdfl3');
    expect(lines).toContain('CSeq: 8 INVITE');
    expect(lines.find((l) => l.startsWith('To: '))).toMatch(/^To: sip:j\.user@example\.com;tag=[0-9a-f]+$/);
  });

  it('builds the 400 from what could be read when To, From and Call-ID are missing (insuf)', () => {
    const outcome = run('insuf');
    expect(outcome).toEqual({
      kind: 'reply',
      raw: 'SIP/2.0 400 Missing From, To, Call-ID Headers\r\nVia: SIP/2.0/UDP 192.0.2.95;branch=z9hG4bKkdj.insuf\r\nCSeq: 193942 INVITE\r\nContent-Length: 0\r\n\r\n',
    });
  });

  it('rejects unsupported Proxy-Require with 420 and Unsupported (bext01)', () => {
    const outcome = run('bext01');
    expect(outcome.kind === 'reply' && outcome.raw).toContain(
      '\r\nUnsupported: noProxiesSupportThis, norDoAnyProxiesSupportThis\r\n',
    );
    const supported = intake(fixtures.get('bext01')!, udp, {
      supportedProxyRequire: ['noProxiesSupportThis', 'norDoAnyProxiesSupportThis'],
    });
    expect(supported.kind).toBe('message');
  });

  it('names the version problem with 505 (badvers)', () => {
    const outcome = run('badvers');
    expect(outcome.kind === 'reply' && outcome.raw.split('\r\n')[0]).toBe(
      'SIP/2.0 505 Version Not Supported',
    );
  });

  it('keeps unknown and oddly named headers exactly as received', () => {
    const wsinv = run('wsinv');
    expect(wsinv.kind).toBe('message');
    if (wsinv.kind !== 'message') return;
    expect(header(wsinv.message, 'newfangledheader')).toBe('newfangled value continued newfangled value');
    expect(header(wsinv.message, 'unknownheaderwithunusualvalue')).toBe(';;,,;;,;');
    const esc02 = run('esc02');
    if (esc02.kind !== 'message' || esc02.message.type !== 'request') throw new Error('esc02 not parsed');
    expect(esc02.message.method).toBe('RE%47IST%45R');
    expect(headers(esc02.message, 'contact')).toHaveLength(2);
    expect(esc02.message.headers.find((h) => h.name === 'C%6Fntact')?.value).toBe(
      '<sip:alias2@host2.example.com>',
    );
    const intmeth = run('intmeth');
    if (intmeth.kind !== 'message') throw new Error('intmeth not parsed');
    const ext = intmeth.message.headers.find((h) => h.name === "extensionHeader-!.%*+_`'~");
    expect(Buffer.from(ext!.value, 'latin1').toString('utf8')).toBe('\ufeff大停電');
  });

  it('takes the message only up to Content-Length and keeps binary bodies intact', () => {
    const dblreq = run('dblreq');
    expect(dblreq.kind === 'message' && dblreq.message.type === 'request' && dblreq.message.method).toBe(
      'REGISTER',
    );
    expect(dblreq.kind === 'message' && dblreq.message.body).toBe('');
    const mpart = run('mpart01');
    expect(mpart.kind === 'message' && mpart.message.body.length).toBe(553);
  });

  it('hands over exactly what parseMessage (message.ts) makes of each accepted message', () => {
    for (const [name, raw] of fixtures) {
      const outcome = intake(raw, udp);
      if (outcome.kind === 'message') expect(outcome.message, name).toEqual(parseMessage(raw));
    }
  });

  it('lets Max-Forwards 0 through for the proxy to answer 483 (zeromf)', () => {
    const outcome = run('zeromf');
    expect(outcome.kind === 'message' && header(outcome.message, 'max-forwards')).toBe('0');
  });
});
