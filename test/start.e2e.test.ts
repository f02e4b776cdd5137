import { type ChildProcess, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

/** `npm start`'s script; `ownGroup` puts it in a process group of its own, as a terminal's foreground job is. */
function run(
  env: Record<string, string>,
  { ownGroup = false } = {},
): {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
} {
  const child = spawn(process.execPath, ['--import', 'tsx', 'local/start.ts'], {
    env: { ...process.env, ...env },
    stdio: 'pipe',
    detached: ownGroup,
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d));
  child.stderr?.on('data', (d: Buffer) => (output += d));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, output: () => output, exited };
}

async function waitFor(check: () => string | undefined, ms: number): Promise<string> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const value = check();
    if (value) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('timed out');
}

/** Sends SIP OPTIONS over UDP and resolves with the status line of the answer. */
function sipOptions(port: number): Promise<string> {
  const socket = createSocket('udp4');
  socket.bind(0, '127.0.0.1');
  const message = (localPort: number) =>
    [
      `OPTIONS sip:127.0.0.1:${port} SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:${localPort};rport;branch=z9hG4bK-start-test`,
      'Max-Forwards: 70',
      'From: <sip:probe@127.0.0.1>;tag=1',
      `To: <sip:127.0.0.1:${port}>`,
      'Call-ID: start-test@127.0.0.1',
      'CSeq: 1 OPTIONS',
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n');
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no answer to OPTIONS')), 5_000);
    socket.on('message', (reply) => {
      clearTimeout(timer);
      socket.close();
      resolve(reply.toString().split('\r\n')[0] ?? '');
    });
    socket.once('listening', () => socket.send(message(socket.address().port), port, '127.0.0.1'));
  });
}

/** Polls `check` until it resolves true, or fails after `ms`. */
async function eventually(check: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Whether rtpengine answers an ng `ping` on this UDP port with `pong`. */
function ngPong(port: number): Promise<boolean> {
  const socket = createSocket('udp4');
  return new Promise((resolve) => {
    const done = (value: boolean) => {
      clearTimeout(timer);
      socket.close();
      resolve(value);
    };
    const timer = setTimeout(() => done(false), 500);
    socket.on('message', (reply) => done(reply.toString() === 'c1 d6:result4:ponge'));
    socket.send('c1 d7:command4:pinge', port, '127.0.0.1');
  });
}

/** TCP ports listening on 127.0.0.1 in the range the rtpengine port claims use (local/rtpengine-process.ts). */
function claimListenerPorts(): number[] {
  return readFileSync('/proc/net/tcp', 'utf8')
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter((f) => f[3] === '0A' && f[1]?.startsWith('0100007F:'))
    .map((f) => Number.parseInt(f[1]!.split(':')[1]!, 16))
    .filter((port) => port >= 19_000 && port < 20_000);
}

/** Processes named `binary` whose command line mentions `needle` (our data dir, our port). */
function processesWith(binary: string, needle: string): number[] {
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        const cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8');
        return cmd.split('\0')[0]?.endsWith(binary) === true && cmd.includes(needle);
      } catch {
        return false;
      }
    })
    .map(Number);
}

describe('npm start (local/start.ts)', () => {
  const children: ChildProcess[] = [];
  const dirs: string[] = [];
  const tempDir = (prefix: string) => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const c of children.splice(0)) {
      c.kill('SIGKILL');
      // A test that failed half-way: its whole group, when it has one of its own.
      if (c.pid !== undefined) {
        try {
          process.kill(-c.pid, 'SIGKILL');
        } catch {}
      }
    }
    for (const dir of dirs.splice(0)) {
      // DynamoDB Local runs in a group of its own and outlives a killed parent; its data dir names it.
      for (const pid of processesWith('java', dir)) process.kill(pid, 'SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('starts DynamoDB Local, the API, rtpengine and the relay; prints the admin key once; leaves no process on SIGTERM', async () => {
    const dataDir = tempDir('tandem-start-');
    const started = run({ TANDEM_DATA_DIR: dataDir, TANDEM_API_PORT: '0', TANDEM_SIP_PORT: '0' });
    children.push(started.child);
    const apiUrl = await waitFor(() => started.output().match(/API\s+(http:\/\/[\d.:]+)\/v1/)?.[1], 45_000);
    expect(started.output()).toMatch(/Admin key\s+tdm_admin_/);
    const adminKey = JSON.parse(readFileSync(join(dataDir, 'secrets.json'), 'utf8')).admin_key as string;
    expect((await fetch(`${apiUrl}/healthz`)).status).toBe(200);
    const created = await fetch(`${apiUrl}/v1/customers`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Kept across restarts' }),
    });
    expect(created.status).toBe(201);
    expect(processesWith('java', dataDir).length).toBe(1);
    const sipPort = Number(started.output().match(/SIP relay\s+\S+ udp:(\d+)/)?.[1]);
    expect(await sipOptions(sipPort)).toBe('SIP/2.0 200 OK');
    const ngPort = started.output().match(/rtpengine on ng 127\.0\.0\.1:(\d+)/)?.[1];
    expect(ngPort).toBeDefined();
    expect(processesWith('rtpengine', `--listen-ng=127.0.0.1:${ngPort}`).length).toBe(1);

    started.child.kill('SIGTERM');
    expect(await started.exited).toBe(0);
    expect(processesWith('java', dataDir)).toEqual([]);
    expect(processesWith('rtpengine', `--listen-ng=127.0.0.1:${ngPort}`)).toEqual([]);

    // Data and key survive a restart; the key is not printed again.
    const again = run({ TANDEM_DATA_DIR: dataDir, TANDEM_API_PORT: '0', TANDEM_SIP_PORT: '0' });
    children.push(again.child);
    const url2 = await waitFor(() => again.output().match(/API\s+(http:\/\/[\d.:]+)\/v1/)?.[1], 45_000);
    expect(again.output()).not.toContain(adminKey);
    const list = await fetch(`${url2}/v1/customers`, { headers: { authorization: `Bearer ${adminKey}` } });
    expect(JSON.stringify(await list.json())).toContain('Kept across restarts');
    // Ctrl-C ends everything though clients hold connections open: one to the API, and one to
    // every rtpengine port-claim listener (they once made the stop wait forever).
    const held = [new URL(url2).port, ...claimListenerPorts()].map((port) =>
      connect(Number(port), '127.0.0.1').on('error', () => {}),
    );
    await Promise.all(held.map((s) => new Promise((r) => s.once('connect', r).once('error', r))));
    again.child.kill('SIGINT');
    expect(await again.exited).toBe(0);
    for (const socket of held) socket.destroy();
    expect(processesWith('java', dataDir)).toEqual([]);
  }, 120_000);

  it('restarts DynamoDB Local and rtpengine when they die, on the same ports, and says so; a Ctrl-C stops them for good', async () => {
    const dataDir = tempDir('tandem-supervise-');
    const started = run(
      { TANDEM_DATA_DIR: dataDir, TANDEM_API_PORT: '0', TANDEM_SIP_PORT: '0' },
      { ownGroup: true },
    );
    children.push(started.child);
    const apiUrl = await waitFor(() => started.output().match(/API\s+(http:\/\/[\d.:]+)\/v1/)?.[1], 45_000);
    const adminKey = JSON.parse(readFileSync(join(dataDir, 'secrets.json'), 'utf8')).admin_key as string;
    const auth = { authorization: `Bearer ${adminKey}` };
    const dynamoPort = started.output().match(/DynamoDB\s+http:\/\/127\.0\.0\.1:(\d+)/)?.[1];
    expect(dynamoPort).toBeDefined();
    const [javaPid, ...otherJava] = processesWith('java', dataDir);
    expect(otherJava).toEqual([]);

    process.kill(javaPid!, 'SIGKILL');
    await waitFor(
      () =>
        started
          .output()
          .match(
            new RegExp(`dynamodb local \\(pid ${javaPid}\\) exited unexpectedly \\(signal SIGKILL\\)`),
          )?.[0],
      10_000,
    );
    await eventually(
      async () =>
        /dynamodb local restarted/.test(started.output()) &&
        (await fetch(`${apiUrl}/healthz`)).status === 200,
      60_000,
      'the API to answer /healthz again after DynamoDB Local restarted',
    );
    expect(started.output()).toMatch(
      new RegExp(`dynamodb local restarted \\(pid \\d+, port ${dynamoPort}\\)`),
    );
    // The same port and the same data directory: one new Java process, serving the table and the default
    // customer written at start. (Not a write of this test: DynamoDB Local answers a transaction a moment
    // before it is on disk, so a kill right after one can lose it.)
    const restartedJava = processesWith('java', dataDir);
    expect(restartedJava).toHaveLength(1);
    expect(restartedJava[0]).not.toBe(javaPid);
    expect(processesWith('java', `-port\0${dynamoPort}\0`)).toEqual(restartedJava);
    const before = await fetch(`${apiUrl}/v1/customers`, { headers: auth });
    expect(before.status).toBe(200);
    expect(JSON.stringify(await before.json())).toContain('System-wide routes and global objects');
    const created = await fetch(`${apiUrl}/v1/customers`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Written after the crash' }),
    });
    expect(created.status).toBe(201);

    const ngPort = Number(started.output().match(/rtpengine on ng 127\.0\.0\.1:(\d+)/)?.[1]);
    expect(await ngPong(ngPort)).toBe(true);
    const [rtpenginePid] = processesWith('rtpengine', `--listen-ng=127.0.0.1:${ngPort}`);
    expect(rtpenginePid).toBeDefined();
    process.kill(rtpenginePid!, 'SIGKILL');
    await eventually(
      async () => /rtpengine restarted/.test(started.output()) && (await ngPong(ngPort)),
      30_000,
      'rtpengine to answer on its ng port again',
    );
    expect(started.output()).toMatch(
      new RegExp(`rtpengine \\(pid ${rtpenginePid}\\) exited unexpectedly \\(signal SIGKILL\\)`),
    );
    const restartedRtpengine = processesWith('rtpengine', `--listen-ng=127.0.0.1:${ngPort}`);
    expect(restartedRtpengine).toHaveLength(1);
    expect(restartedRtpengine[0]).not.toBe(rtpenginePid);

    // A Ctrl-C in a terminal signals the whole foreground group (npm, node, and whatever shares the
    // group). It ends the supervised children for good: no restart is logged, nothing is left.
    const beforeStop = started.output().length;
    process.kill(-started.child.pid!, 'SIGINT');
    expect(await started.exited).toBe(0);
    expect(started.output().slice(beforeStop)).not.toMatch(/exited unexpectedly|restart/);
    expect(processesWith('java', dataDir)).toEqual([]);
    expect(processesWith('rtpengine', `--listen-ng=127.0.0.1:${ngPort}`)).toEqual([]);
  }, 180_000);

  it('stops at once with a message naming a bad variable', async () => {
    const started = run({ TANDEM_API_PORT: 'eighty' });
    children.push(started.child);
    expect(await started.exited).toBe(1);
    expect(started.output()).toMatch(/TANDEM_API_PORT/);
  });

  it('says how to install Java when it is missing, instead of hanging', async () => {
    const bin = tempDir('tandem-nojava-');
    mkdirSync(join(bin, 'bin'));
    symlinkSync(process.execPath, join(bin, 'bin', 'node'));
    const started = run({ PATH: join(bin, 'bin'), TANDEM_DATA_DIR: join(bin, 'data'), TANDEM_API_PORT: '0' });
    children.push(started.child);
    expect(await started.exited).toBe(1);
    expect(started.output()).toMatch(/Java was not found[\s\S]*apt-get install -y default-jre-headless/);
  });
});
