import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESOURCES } from '../../cli/resources';
import { cdrRecord } from '../../contract/cdr.fixture';
import type { LiveCalls } from '../../contract/live-calls';
import { type HttpEndpoint, startHttpEndpoint } from '../../edge-relay/metrics/http-endpoint';
import { startTestStack, type TestStack } from '../support/stack';

const root = resolve(import.meta.dirname, '../..');
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;

type Run = { code: number | null; stdout: string; stderr: string };

/**
 * The `tandem` CLI against the real local stack (DynamoDB Local and the API on a free port), each
 * command a child process started as a user starts it: `node cli/bin.mjs …` (what `npx tandem` runs).
 */
// Each command is a node process compiling the CLI with tsx: seconds each on a loaded machine.
describe('tandem CLI against the local stack', { timeout: 120_000 }, () => {
  let stack: TestStack;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let customer: string;
  let provider: string;
  let routeId: string;

  /** Runs `tandem args…` with the stack's URL and operator key in TANDEM_URL/TANDEM_KEY. */
  function tandem(args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<Run> {
    return new Promise((resolveRun, reject) => {
      const child = spawn(process.execPath, [join(root, 'cli/bin.mjs'), ...args], {
        cwd: dir,
        env: { ...env, ...extraEnv },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
      });
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
      });
      child.once('error', reject);
      child.once('close', (code) => resolveRun({ code, stdout, stderr }));
    });
  }

  beforeAll(async () => {
    stack = await startTestStack();
    dir = mkdtempSync(join(tmpdir(), 'tandem-cli-'));
    env = {
      PATH: process.env.PATH ?? '',
      HOME: dir,
      TANDEM_URL: stack.apiUrl,
      TANDEM_KEY: stack.adminKey,
      TANDEM_CONFIG: join(dir, 'config.json'),
    };
  });

  afterAll(async () => {
    await stack?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('offers a command for every resource path of the OpenAPI document', async () => {
    const doc = (await (await fetch(`${stack.apiUrl}/v1/openapi.json`)).json()) as {
      paths: Record<string, object>;
    };
    for (const spec of RESOURCES) {
      expect(Object.keys(doc.paths)).toContain(`/v1/${spec.path}`);
      expect(Object.keys(doc.paths)).toContain(`/v1/${spec.path}/{id}`);
    }
    for (const path of [
      '/v1/rates',
      '/v1/cdrs',
      '/v1/cdrs/export',
      '/v1/routing/simulate',
      '/v1/providers/{id}/status',
    ]) {
      expect(Object.keys(doc.paths)).toContain(path);
    }
  });

  it('creates from flags and from a JSON file, lists as a table and as JSON, gets and updates', async () => {
    const made = await tandem(['customers', 'create', '--name', 'Acme Telecom']);
    expect(made.code, made.stderr).toBe(0);
    customer = UUID.exec(/created customer (\S+)/.exec(made.stdout)![1]!)![0];

    writeFileSync(
      join(dir, 'provider.json'),
      JSON.stringify({ name: 'Carrier A', hostname: 'sip.carrier-a.example', port: 5060, transport: 'udp' }),
    );
    const fromFile = await tandem([
      '--json',
      'providers',
      'create',
      '--file',
      'provider.json',
      '--set',
      'tech_prefix=0011',
    ]);
    expect(fromFile.code, fromFile.stderr).toBe(0);
    const created = JSON.parse(fromFile.stdout) as { id: string; tech_prefix: string; port: number };
    expect(created).toMatchObject({ tech_prefix: '0011', port: 5060 });
    provider = created.id;

    const route = await tandem([
      'routes',
      'create',
      '--customer',
      customer,
      '--name',
      'Korea via A',
      '--set',
      `provider_id=${provider}`,
      '--set',
      'target=+82',
      '--set',
      'priority=1',
    ]);
    expect(route.code, route.stderr).toBe(0);
    routeId = /created route (\S+)/.exec(route.stdout)![1]!;

    const [table, json, one, updated] = await Promise.all([
      tandem(['routes', 'list', '--customer', customer]),
      tandem(['routes', 'list', '--customer', customer, '--json']),
      tandem(['providers', 'get', provider]),
      tandem(['routes', 'update', routeId, '--set', 'priority=2', '--set', 'detail=moved']),
    ]);
    expect(table.code, table.stderr).toBe(0);
    const lines = table.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^id\s+customer_id\s+name\s+target\s+provider_id\s+priority/);
    expect(lines[1]).toMatch(new RegExp(`^${routeId}\\s+${customer}\\s+Korea via A\\s+\\+82\\s+${provider}`));
    expect(JSON.parse(json.stdout)).toMatchObject({
      result: [{ id: routeId, target: '+82' }],
      next_page_token: '',
    });
    expect(one.stdout).toMatch(/^tech_prefix\s+0011$/m);
    expect(one.stdout).toMatch(/^hostname\s+sip\.carrier-a\.example$/m);
    expect(updated.code, updated.stderr).toBe(0);
    expect(await stack.api('GET', `/v1/routes/${routeId}`)).toMatchObject({ priority: 2, detail: 'moved' });
  });

  it("shows an object's history from the audit log: who created and changed it", async () => {
    const [json, table] = await Promise.all([
      tandem(['--json', 'audit', '--object', routeId]),
      tandem(['audit', '--resource', 'route', '--action', 'update']),
    ]);
    expect(json.code, json.stderr).toBe(0);
    const events = JSON.parse(json.stdout).result as { action: string; actor: { kind: string } }[];
    expect(events.map((e) => [e.action, e.actor.kind])).toEqual([
      ['update', 'operator'],
      ['create', 'operator'],
    ]);
    expect(table.code, table.stderr).toBe(0);
    const lines = table.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^time\s+actor\.kind\s+actor\.key_id\s+action\s+resource\s+resource_id/);
    expect(lines.slice(1)).toHaveLength(1);
    expect(lines[1]).toMatch(new RegExp(`\\bupdate\\s+route\\s+${routeId}\\b`));
  });

  it('pages a list, and reads every page with --all', async () => {
    for (const name of ['P1', 'P2']) await stack.api('POST', '/v1/rate-plans', { name });
    const [first, all] = await Promise.all([
      tandem(['rate-plans', 'list', '--page-size', '1']),
      tandem(['rate-plans', 'list', '--page-size', '1', '--all', '--json']),
    ]);
    expect(first.stdout.trim().split('\n')).toHaveLength(2);
    expect(first.stderr).toMatch(/^more: --page-token \S+ \(or --all\)$/m);
    expect(JSON.parse(all.stdout).result.map((p: { name: string }) => p.name)).toEqual(['P1', 'P2']);
  });

  it("shows the API's errors readably, with exit codes scripts can use", async () => {
    const [conflict, bad, missing, usage, noKey] = await Promise.all([
      tandem(['providers', 'delete', provider]),
      tandem([
        'providers',
        'create',
        '--name',
        'B',
        '--set',
        'hostname=sip.b.example',
        '--set',
        'port=70000',
      ]),
      tandem(['customers', 'get', randomUUID()]),
      tandem(['routes', 'list', '--page-size', 'many']),
      tandem(['customers', 'list'], { TANDEM_KEY: '' }),
    ]);
    expect(conflict.code).toBe(5);
    expect(conflict.stderr).toMatch(
      new RegExp(`^tandem: 409 Conflict: provider ${provider} is still referenced by 1 route`, 'm'),
    );
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^tandem: 400 Bad Request: the request body is invalid\n {2}port: .+$/m);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/^tandem: 404 Not Found: customer \S+ does not exist/m);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/--page-size/);
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toMatch(/no API key/);
    expect(await stack.api('GET', `/v1/providers/${provider}`)).toMatchObject({ id: provider });
  });

  it('imports a deck from CSV: a bad line is listed and nothing is imported; a good deck replaces it', async () => {
    writeFileSync(join(dir, 'bad.csv'), 'prefix,rate\n+8210,0.012\n+8211,cheap\n');
    writeFileSync(
      join(dir, 'good.csv'),
      'prefix,rate,connect_fee\n+8210,0.012,0\n+8211,0.02,0.01\n+82,0.03\n',
    );
    const bad = await tandem(['rates', 'import', '--provider', provider, 'bad.csv']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(
      /^tandem: 400 Bad Request: 1 line\(s\) of the rate deck are invalid; nothing was imported$/m,
    );
    expect(bad.stderr).toMatch(/^ {2}line 3, rate: .+$/m);
    expect(bad.stderr).not.toMatch(/uploading/); // no progress bar when stderr is no terminal
    const rates = () =>
      stack.api<{ result: { prefix: string }[] }>('GET', `/v1/rates?provider_id=${provider}`);
    expect((await rates()).result).toEqual([]);

    const good = await tandem(['rates', 'import', '--provider', provider, 'good.csv']);
    expect(good.code, good.stderr).toBe(0);
    expect(good.stdout).toMatch(
      new RegExp(`^imported 3 rate\\(s\\) into provider ${provider} \\(deck version \\S+\\)$`, 'm'),
    );
    expect((await rates()).result.map((r) => r.prefix)).toEqual(['+82', '+8210', '+8211']);

    const plan = await stack.api<{ id: string }>('POST', '/v1/rate-plans', { name: 'Retail' });
    const listed = await tandem(['rate-plans', 'import', plan.id, 'good.csv']);
    expect(listed.stdout).toMatch(`into rate plan ${plan.id}`);
  });

  it('simulates a call: the ordered targets and every skip with its reason', async () => {
    const b = await stack.api<{ id: string }>('POST', '/v1/providers', {
      name: 'Carrier B',
      hostname: 'sip.carrier-b.example',
    });
    const off = await stack.api<{ id: string }>('POST', '/v1/providers', {
      name: 'Carrier C',
      hostname: 'sip.carrier-c.example',
      enabled: false,
    });
    for (const [p, priority] of [
      [b.id, 3],
      [off.id, 4],
    ] as const) {
      await stack.api('POST', '/v1/routes', {
        customer_id: customer,
        provider_id: p,
        target: '+82',
        priority,
      });
    }
    const run = await tandem([
      'simulate',
      '--customer',
      customer,
      '--caller',
      '+14155550100',
      '--callee',
      '+821012345678',
      '--down',
      provider,
    ]);
    expect(run.code, run.stderr).toBe(0);
    const text = run.stdout;
    expect(text).toMatch(/^route\n/);
    const targets = text.slice(text.indexOf('targets, in order:'), text.indexOf('skipped:'));
    const order = [...targets.matchAll(/^ {2}(\d) +provider +(\S+) +(\S+) +(.+)$/gm)].map((m) => [
      m[1],
      m[2],
      m[4],
    ]);
    expect(order.map(([n, id]) => [n, id])).toEqual([
      ['1', b.id],
      ['2', provider],
    ]);
    expect(order[1]![2]).toMatch(/provider_down$/);
    expect(text.slice(text.indexOf('skipped:'))).toMatch(
      new RegExp(`^ {2}${off.id} +\\S+ +provider_disabled$`, 'm'),
    );
  });

  it('finds a call, reads its CDR and exports CSV', async () => {
    const record = cdrRecord({
      at: '2026-12-05T10:00:00.000Z',
      customer_id: customer,
      callee: '+821099990000',
      providerId: provider,
    });
    const other = cdrRecord({ at: '2026-12-05T11:00:00.000Z', customer_id: customer });
    const stored = await stack.request('POST', '/v1/cdrs', { cdrs: [record, other] }, stack.relayToken);
    expect(stored.status).toBe(200);
    const range = ['--from', '2026-12-05', '--to', '2026-12-06'];
    const [search, get, exported] = await Promise.all([
      tandem(['cdrs', 'search', ...range, '--callee', '+821099990000']),
      tandem(['cdrs', 'get', record.id]),
      tandem(['cdrs', 'export', ...range, '--customer', customer, '-o', 'cdrs.csv']),
    ]);
    expect(search.code, search.stderr).toBe(0);
    const rows = search.stdout.trim().split('\n');
    expect(rows).toHaveLength(2);
    expect(rows[1]).toMatch(
      new RegExp(
        `^${record.id}\\s+2026-12-05T10:00:00.000Z\\s+${customer}\\s+\\S+\\s+\\+821099990000\\s+200`,
      ),
    );
    expect(get.stdout).toMatch(new RegExp(`^call_id\\s+${record.call_id.replace('.', '\\.')}$`, 'm'));
    expect(get.stdout).toMatch(/^attempts:\n {2}target_kind/m);
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stderr).toMatch(/^wrote \d+ bytes to cdrs\.csv$/m);
    const csv = readFileSync(join(dir, 'cdrs.csv'), 'utf8').trim().split('\r\n');
    expect(csv[0]).toMatch(/^id,call_id,/);
    expect(csv.slice(1).map((l) => l.split(',')[0])).toEqual([other.id, record.id]);
  });

  it("shows a provider's status as the sites report it", async () => {
    const now = Date.now();
    const at = (ms: number) => new Date(now + ms).toISOString();
    const report = await stack.request(
      'POST',
      '/v1/providers/status',
      {
        site: 'seoul',
        relay_id: 'seoul-relay-1',
        reported_at: at(-1_000),
        providers: [
          {
            provider_id: provider,
            state: 'down',
            since: at(-60_000),
            down_by: 'probe',
            last_probe: { at: at(-2_000), code: null, alive: false },
            attempts: { window_s: 60, total: 4, succeeded: 0 },
          },
        ],
      },
      stack.relayToken,
    );
    expect(report.status).toBe(200);
    const run = await tandem(['providers', 'status', provider]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^site\s+state\s+since\s+down_by\s+stale/m);
    expect(run.stdout).toMatch(/^seoul\s+down\s+\S+\s+probe\s+false\s+\S+\s+seoul-relay-1$/m);
  });

  it('creates a customer key shown once, which works until it is deleted', async () => {
    const made = await tandem(['keys', 'create', '--customer', customer, '--name', 'billing export']);
    expect(made.code, made.stderr).toBe(0);
    const key = /^key {2}(tdm_\S+)$/m.exec(made.stdout)![1]!;
    const keyId = /^created api key (\S+) for customer/m.exec(made.stdout)![1]!;
    expect(made.stderr).toMatch(/shown this once/);
    const [own, listed] = await Promise.all([
      tandem(['customers', 'list'], { TANDEM_KEY: key }),
      tandem(['api-keys', 'list', '--customer', customer]),
    ]);
    expect(own.stdout.trim().split('\n')).toHaveLength(2);
    expect(own.stdout).toContain(customer);
    expect(listed.stdout).toContain(keyId);
    expect(listed.stdout).not.toContain(key);
    const revoked = await tandem(['keys', 'delete', keyId]);
    expect(revoked.stdout.trim()).toBe(`deleted api key ${keyId}`);
    const after = await tandem(['customers', 'list'], { TANDEM_KEY: key });
    expect(after.code).toBe(4);
    expect(after.stderr).toMatch(/^tandem: 401 Unauthorized/m);
  });

  it("lists a relay's live calls from its HTTP endpoint", async () => {
    const calls: LiveCalls = {
      calls: [
        {
          call_id: 'a84b4c76e66710@pbx',
          customer_id: customer,
          ipbx_id: randomUUID(),
          provider_id: provider,
          from: '+14155550100',
          to: '+821012345678',
          state: 'answered',
          started_at: new Date(Date.now() - 90_000).toISOString(),
          answered_at: new Date(Date.now() - 80_000).toISOString(),
        },
      ],
    };
    const token = `relay-${randomUUID()}`;
    const endpoint: HttpEndpoint = await startHttpEndpoint({
      address: '127.0.0.1',
      port: 0,
      draining: () => false,
      metrics: async () => '',
      calls: { token, list: async () => calls },
    });
    try {
      const relay = `http://127.0.0.1:${endpoint.port}`;
      const [shown, json, refused] = await Promise.all([
        tandem(['calls', '--relay', relay], { TANDEM_RELAY_TOKEN: token }),
        tandem(['calls', '--json', '--relay', relay, '--relay-token', token]),
        tandem(['calls', '--relay', relay, '--relay-token', 'wrong']),
      ]);
      expect(shown.code, shown.stderr).toBe(0);
      expect(shown.stdout).toMatch(/^a84b4c76e66710@pbx\s+answered\s+\+14155550100\s+\+821012345678\s+/m);
      expect(JSON.parse(json.stdout)).toEqual(calls);
      expect(refused.code).toBe(4);
      expect(refused.stderr).toMatch(/401 Unauthorized: send Authorization/);
    } finally {
      await endpoint.close();
    }
  });

  it('keeps settings in a profile of a private config file, and never shows the key', async () => {
    const secret = `tdm_${randomUUID()}`;
    const set = await tandem(['config', 'set', '--profile', 'lab', '--url', stack.apiUrl, '--key', secret]);
    expect(set.code, set.stderr).toBe(0);
    const path = join(dir, 'config.json');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({
      profiles: { lab: { url: stack.apiUrl, key: secret } },
    });
    const [shown, used] = await Promise.all([
      tandem(['config', 'show', '--profile', 'lab'], { TANDEM_URL: '', TANDEM_KEY: '' }),
      tandem(['--profile', 'lab', 'customers', 'list'], { TANDEM_URL: '', TANDEM_KEY: '' }),
    ]);
    expect(shown.stdout).toMatch(/^key\s+tdm_… \(40 characters\)\s+config$/m);
    expect(shown.stdout).not.toContain(secret.slice(4));
    expect(used.code).toBe(4); // the profile's key is used: unknown to the API
  });

  it('prints a completion script bash can load', async () => {
    const run = await tandem(['completion', 'bash']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^complete -o default -F _tandem tandem$/m);
  });
});
