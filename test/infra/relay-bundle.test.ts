import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mediaSettingsSchema } from '../../edge-relay/settings/media-settings';
import { relaySettingsSchema } from '../../edge-relay/settings/relay-settings';
import { buildRelay, relayBundlePath } from '../../infra/build';
import { freePort } from '../../platform/free-port';
import { parseEnvironmentAssignments, parseEnvironmentFile, parseUnit, splitCommand } from './systemd-files';

const unitPath = 'infra/relay/tandem-relay.service';
const unit = parseUnit(readFileSync(unitPath, 'utf8'));
const service = unit.Service!;
const one = (key: string) => {
  const values = service[key] ?? [];
  if (values.length !== 1) throw new Error(`${unitPath}: expected one ${key}=, found ${values.length}`);
  return values[0]!;
};

let root: string;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'tandem-relay-'));
  await buildRelay(join(root, 'opt'));
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

/** Maps the unit's absolute paths into the test's directory (only /usr/bin/node stays what it is). */
function onThisMachine(path: string): string {
  if (path.startsWith('/opt/tandem/')) return join(root, 'opt', path.slice('/opt/tandem/'.length));
  if (path === '/opt/tandem') return join(root, 'opt');
  if (path.startsWith('/etc/tandem/')) return join(root, 'etc', path.slice('/etc/tandem/'.length));
  return path;
}

/** One SIP OPTIONS over UDP; resolves with the first response line, or undefined after `timeoutMs`. */
function options(port: number, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    const done = (value: string | undefined) => {
      clearTimeout(timer);
      socket.close();
      resolve(value);
    };
    const timer = setTimeout(() => done(undefined), timeoutMs);
    socket.on('message', (message) => done(message.toString('latin1').split('\r\n')[0]));
    socket.bind(0, '127.0.0.1', () => {
      const local = socket.address().port;
      const branch = `z9hG4bK${randomBytes(8).toString('hex')}`;
      const request = [
        `OPTIONS sip:127.0.0.1:${port} SIP/2.0`,
        `Via: SIP/2.0/UDP 127.0.0.1:${local};branch=${branch};rport`,
        'Max-Forwards: 70',
        `From: <sip:monitor@127.0.0.1>;tag=${randomBytes(4).toString('hex')}`,
        `To: <sip:127.0.0.1:${port}>`,
        `Call-ID: ${randomBytes(8).toString('hex')}@127.0.0.1`,
        'CSeq: 1 OPTIONS',
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n');
      socket.send(request, port, '127.0.0.1');
    });
  });
}

describe('edge relay on a VM (infra/relay)', () => {
  it('the systemd unit is valid, hardened and restarts forever', () => {
    expect(one('Restart')).toBe('always');
    expect(one('User')).toBe('tandem');
    expect(Number(one('LimitNOFILE'))).toBeGreaterThanOrEqual(65_536);
    expect(one('AmbientCapabilities')).toBe('CAP_NET_BIND_SERVICE');
    expect(one('CapabilityBoundingSet')).toBe('CAP_NET_BIND_SERVICE');
    expect(one('NoNewPrivileges')).toBe('yes');
    expect(one('ProtectSystem')).toBe('strict');
    expect(one('PrivateTmp')).toBe('yes');
    expect(one('EnvironmentFile')).toBe('/etc/tandem/relay.env');
    // systemd's own checks (Debian's systemd package): syntax, then exposure ≤ 2.0 of 10.
    const verify = spawnSync('systemd-analyze', ['verify', unitPath], { encoding: 'utf8' });
    expect(verify.error).toBeUndefined();
    expect(verify.stderr.trim()).toBe('');
    expect(verify.status).toBe(0);
    const security = spawnSync(
      'systemd-analyze',
      ['security', '--offline=true', '--threshold=20', unitPath],
      {
        encoding: 'utf8',
      },
    );
    expect(security.stdout).toMatch(/Overall exposure level for tandem-relay\.service: \d+\.\d/);
    expect(security.status).toBe(0);
  });

  it('install.sh is valid bash and installs what the unit expects, where it expects it', () => {
    const script = 'infra/relay/install.sh';
    const syntax = spawnSync('bash', ['-n', script], { encoding: 'utf8' });
    expect(syntax.stderr).toBe('');
    expect(syntax.status).toBe(0);
    const text = readFileSync(script, 'utf8');
    const bundle = splitCommand(one('ExecStart')).at(-1)!;
    expect(text).toContain(`install -m 0644 "$bundle" ${bundle}`);
    expect(text).toContain(`${one('EnvironmentFile')}`);
    expect(text).toContain(`useradd --system --user-group`);
    expect(text).toMatch(new RegExp(`\\b${one('User')}\\b`));
    expect(text).toContain('apt-get install -y -qq rtpengine-daemon');
    expect(text).toContain('/etc/systemd/system/tandem-relay.service');
  });

  it('relay.env.example names every relay setting and holds no secret', () => {
    const example = parseEnvironmentFile(readFileSync('infra/relay/relay.env.example', 'utf8'));
    const declared = new Set([
      ...Object.keys(relaySettingsSchema.shape),
      ...Object.keys(mediaSettingsSchema.in.shape),
    ]);
    expect(declared.size).toBeGreaterThan(10);
    expect(Object.keys(example).sort()).toEqual([...declared].sort());
    expect(example.TANDEM_RELAY_TOKEN).toBe('change-me');
  });

  it('the bundle starts from the unit ExecStart and answers SIP OPTIONS over UDP with 200', async () => {
    const port = await freePort();
    const [command, ...args] = splitCommand(one('ExecStart')).map(onThisMachine);
    expect(command).toBe('/usr/bin/node');
    expect(existsSync(relayBundlePath(join(root, 'opt')))).toBe(true);

    // The operator's /etc/tandem/relay.env: the template with this machine's values filled in.
    const envFile = onThisMachine(one('EnvironmentFile'));
    mkdirSync(join(root, 'etc'), { recursive: true });
    const template = readFileSync('infra/relay/relay.env.example', 'utf8');
    const filled = template
      .replace(/^TANDEM_DECIDE_URL=.*$/m, 'TANDEM_DECIDE_URL=http://127.0.0.1:9/v1/routing/decide')
      .replace(/^TANDEM_RELAY_TOKEN=.*$/m, `TANDEM_RELAY_TOKEN=${randomBytes(24).toString('base64url')}`)
      .replace(/^TANDEM_SIP_ADDRESS=.*$/m, 'TANDEM_SIP_ADDRESS=127.0.0.1')
      .replace(/^TANDEM_SIP_PORT=.*$/m, `TANDEM_SIP_PORT=${port}`)
      .replace(/^TANDEM_RELAY_ID=.*$/m, 'TANDEM_RELAY_ID=relay-test-1');
    writeFileSync(envFile, filled, { mode: 0o640 });

    const stateDirectory = join(root, 'state');
    mkdirSync(stateDirectory, { recursive: true });
    const child = spawn(command!, args, {
      cwd: onThisMachine(one('WorkingDirectory')),
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        PATH: process.env.PATH,
        ...parseEnvironmentAssignments(service.Environment ?? []),
        ...parseEnvironmentFile(readFileSync(envFile, 'utf8')),
        STATE_DIRECTORY: stateDirectory,
      },
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => {
      output += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      output += c.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      let answer: string | undefined;
      const deadline = Date.now() + 15_000;
      while (!answer && child.exitCode === null && Date.now() < deadline) {
        answer = await options(port, 300);
      }
      expect(answer, output).toBe('SIP/2.0 200 OK');
    } finally {
      // The unit's KillSignal: the relay drains and exits by itself.
      expect(one('KillSignal')).toBe('SIGTERM');
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      const code = await exited;
      clearTimeout(timer);
      expect(code, output).toBe(0);
    }
  });
});
