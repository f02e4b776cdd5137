import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../platform/free-port';

// `npm run relay` as a real process: settings from the environment, JSON logs, SIGTERM drain.
const root = resolve(import.meta.dirname, '../..');
const tsx = resolve(root, 'node_modules/.bin/tsx');

function run(env: Record<string, string>) {
  const child = spawn(tsx, ['edge-relay/runner.ts'], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const waitFor = async (text: string) => {
    for (let i = 0; i < 200 && !out.includes(text); i++) await new Promise((r) => setTimeout(r, 50));
    return out;
  };
  return { child, exited, waitFor, output: () => out };
}

describe('npm run relay', () => {
  it('starts from the environment, answers SIP and /healthz, and drains then exits on SIGTERM', async () => {
    const port = await freePort();
    const httpPort = await freePort();
    const relay = run({
      TANDEM_SIP_ADDRESS: '127.0.0.1',
      TANDEM_SIP_PORT: String(port),
      TANDEM_RELAY_HTTP_PORT: String(httpPort),
      TANDEM_DECIDE_URL: 'http://127.0.0.1:9/v1/routing/decide',
      TANDEM_RELAY_TOKEN: 'tdm_relay_0123456789abcdef',
      TANDEM_DATA_DIR: mkdtempSync(join(tmpdir(), 'tandem-runner-')),
    });
    try {
      expect(await relay.waitFor('relay started')).toContain('"msg":"relay started"');
      const socket = createSocket('udp4');
      await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
      const answer = new Promise<string>((r) => socket.once('message', (m) => r(m.toString('latin1'))));
      const options = [
        `OPTIONS sip:127.0.0.1:${port} SIP/2.0`,
        `Via: SIP/2.0/UDP 127.0.0.1:${socket.address().port};branch=z9hG4bKrunner1`,
        'From: <sip:probe@127.0.0.1>;tag=r1',
        `To: <sip:127.0.0.1:${port}>`,
        'Call-ID: runner-1',
        'CSeq: 1 OPTIONS',
        'Max-Forwards: 70',
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n');
      socket.send(Buffer.from(options, 'latin1'), port, '127.0.0.1');
      expect(await answer).toMatch(/^SIP\/2\.0 200 OK/);
      socket.close();
      const health = await fetch(`http://127.0.0.1:${httpPort}/healthz`);
      // The CDR spool's state rides along (docs/cdrs.md): empty, nothing shipped yet.
      expect(await health.json()).toMatchObject({ status: 'ok', cdr: { level: 'ok', spool_bytes: 0 } });
      relay.child.kill('SIGTERM');
      expect(await relay.exited).toBe(0);
      const lines = relay
        .output()
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { msg: string });
      expect(lines.map((l) => l.msg)).toEqual(
        expect.arrayContaining(['relay started', 'shutting down', 'draining']),
      );
      expect(relay.output()).not.toContain('tdm_relay_0123456789abcdef');
    } finally {
      relay.child.kill('SIGKILL');
    }
  });

  it('refuses to start without a decision URL and names the variable', async () => {
    const relay = run({ TANDEM_SIP_PORT: String(await freePort()) });
    expect(await relay.exited).toBe(2);
    expect(relay.output()).toContain('TANDEM_DECIDE_URL');
  });
});
