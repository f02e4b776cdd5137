import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { superviseDynamoDbLocal } from '../../local/dynamodb-local';

async function until(check: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Listens on the port on every interface, as DynamoDB Local does, once it can. */
async function holdPort(port: number, ms: number): Promise<Server> {
  let held: Server | undefined;
  await until(
    () =>
      new Promise<boolean>((resolve) => {
        const server = createServer();
        server.once('error', () => resolve(false));
        server.listen({ port, host: '::', exclusive: true }, () => {
          held = server;
          resolve(true);
        });
      }),
    ms,
    `port ${port} to be free`,
  );
  return held!;
}

function javaWith(needle: string): number[] {
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        const cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8');
        return cmd.split('\0')[0]?.endsWith('java') === true && cmd.includes(needle);
      } catch {
        return false;
      }
    })
    .map(Number);
}

describe('superviseDynamoDbLocal', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('says its port is taken and waits for it, then restarts on that port with its data', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'tandem-supervise-ddb-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const lines: string[] = [];
    // A first wait long enough for the test to take the port before the restart.
    const db = await superviseDynamoDbLocal({
      dataDir,
      log: (line) => lines.push(line),
      policy: { initialMs: 1_000, maxMs: 1_000, steadyAfterMs: 60_000 },
    });
    cleanups.push(() => db.stop());
    const port = Number(new URL(db.endpoint).port);
    const client = new DynamoDBClient({
      endpoint: db.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    cleanups.push(() => client.destroy());
    await client.send(
      new CreateTableCommand({
        TableName: 'survives-a-crash',
        KeySchema: [{ AttributeName: 'PK', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'PK', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    const firstPid = db.pid;
    expect(javaWith(dataDir)).toEqual([firstPid]);

    process.kill(firstPid, 'SIGKILL');
    const holder = await holdPort(port, 5_000);
    await until(
      () => lines.some((l) => l.includes(`port ${port} is taken by another process`)),
      10_000,
      'the taken port to be reported',
    );
    expect(lines[0]).toBe(
      `dynamodb local (pid ${firstPid}) exited unexpectedly (signal SIGKILL); restarting in 1 s`,
    );
    expect(db.restarts).toBe(0);
    await new Promise<void>((resolve) => holder.close(() => resolve()));

    await until(() => db.restarts === 1, 60_000, 'the restart');
    expect(lines.at(-1)).toBe(`dynamodb local restarted (pid ${db.pid}, port ${port})`);
    expect(db.pid).not.toBe(firstPid);
    expect(javaWith(dataDir)).toEqual([db.pid]);
    // Below the relay and the API, every thread of the JVM (local/dynamodb-local.ts), restarts included.
    const threads = readdirSync(`/proc/${db.pid}/task`);
    expect(threads.length).toBeGreaterThan(1);
    for (const tid of threads) {
      const stat = readFileSync(`/proc/${db.pid}/task/${tid}/stat`, 'utf8');
      expect(Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16])).toBe(19);
    }
    expect(readFileSync(`/proc/${db.pid}/cmdline`, 'utf8').split('\0')).toContain('-XX:+UseSerialGC');
    const tables = await client.send(new ListTablesCommand({}));
    expect(tables.TableNames).toContain('survives-a-crash');

    await db.stop();
    expect(javaWith(dataDir)).toEqual([]);
  }, 120_000);
});
