import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Cdr } from '../../contract/cdr';
import { cdrRecord } from '../../contract/cdr.fixture';
import { type CdrShipperOptions, startCdrShipper } from './cdr-shipper';
import {
  capturingLogger,
  namesIn,
  ok,
  type StandInAnswer,
  startApiStandIn,
  TOKEN,
  tempDir,
  until,
} from './cdr-test-kit.fixture';
import { REJECTED_DIR } from './set-aside';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A sealed segment written by hand, as the spool leaves it; `created` orders segments. */
function writeSegment(dir: string, created: number, lines: string[], end = '\n'): string {
  const name = `cdr-${String(created).padStart(16, '0')}-0000abcd.jsonl`;
  writeFileSync(join(dir, name), lines.join('\n') + end);
  return name;
}
const linesOf = (records: Cdr[]) => records.map((r) => JSON.stringify(r));
const segmentsIn = (dir: string) => namesIn(dir).filter((n) => n.endsWith('.jsonl'));

/** A clock that only moves when the shipper sleeps: waits are read off it, never off the wall. */
function fakeTime() {
  const time = { clock: 1_764_930_000_000, sleeps: [] as number[] };
  return {
    time,
    now: () => time.clock,
    sleep: async (ms: number) => {
      time.sleeps.push(ms);
      time.clock += ms;
    },
  };
}

async function ship(
  answer: (batch: Parameters<typeof ok>[0], n: number) => StandInAnswer | null,
  options: Partial<CdrShipperOptions> & { dir?: string } = {},
) {
  const tmp = tempDir();
  const dir = options.dir ?? tmp.dir;
  const t = fakeTime();
  const api = await startApiStandIn(answer, t.now);
  const { log, lines } = capturingLogger();
  const deleted: [string, number][] = [];
  const start = () =>
    startCdrShipper({
      dir,
      url: api.url,
      token: TOKEN,
      batchSize: 500,
      backoff: { minMs: 10, maxMs: 60_000 },
      timeoutMs: 5000,
      log,
      onDeleted: (name, bytes) => deleted.push([name, bytes]),
      now: t.now,
      sleep: t.sleep,
      random: () => 0,
      pollMs: 20,
      ...options,
    });
  cleanups.push(tmp.remove, api.close);
  return { dir, api, lines, deleted, start, time: t.time };
}

describe('CDR shipper', () => {
  it('sends a segment in batches of at most batchSize with distinct keys, then deletes it', async () => {
    const s = await ship(ok, { batchSize: 3 });
    const records = Array.from({ length: 7 }, () => cdrRecord());
    const name = writeSegment(s.dir, 1, linesOf(records));
    const bytes = readFileSync(join(s.dir, name)).length;
    const shipper = s.start();
    cleanups.push(() => shipper.stop());
    await until(() => s.deleted.length === 1, 'the segment to be deleted');
    expect(segmentsIn(s.dir)).toEqual([]);
    expect(s.api.requests.map((r) => r.records.length)).toEqual([3, 3, 1]);
    expect(s.api.requests.map((r) => r.key)).toEqual([`${name}#0`, `${name}#1`, `${name}#2`]);
    expect(s.api.ids()).toEqual(records.map((r) => r.id));
    expect(s.api.requests[0]).toMatchObject({
      authorization: `Bearer ${TOKEN}`,
      contentType: 'application/json',
    });
    expect(s.deleted).toEqual([[name, bytes]]);
    expect(shipper.state()).toMatchObject({
      pendingSegments: 0,
      pendingBytes: 0,
      shipped: 7,
      lastError: null,
      consecutiveFailures: 0,
      lastShippedAt: s.time.clock,
    });
  });

  it('sends the oldest segment first', async () => {
    const s = await ship(ok);
    const [late, early] = [cdrRecord(), cdrRecord()];
    writeSegment(s.dir, 20, linesOf([late]));
    writeSegment(s.dir, 10, linesOf([early]));
    const shipper = s.start();
    cleanups.push(() => shipper.stop());
    await until(() => segmentsIn(s.dir).length === 0, 'both segments to be deleted');
    expect(s.api.ids()).toEqual([early.id, late.id]);
  });

  it('honours Retry-After of a 503 (seconds) and of a 429 (HTTP date) as the least wait', async () => {
    const s = await ship((batch, n) => {
      if (n === 1) return { status: 503, headers: { 'retry-after': '7' } };
      if (n === 2)
        return { status: 429, headers: { 'retry-after': new Date(batch.at + 4000).toUTCString() } };
      if (n === 3) return { status: 500 };
      return ok(batch);
    });
    writeSegment(s.dir, 1, linesOf([cdrRecord()]));
    const shipper = s.start();
    cleanups.push(() => shipper.stop());
    await until(() => segmentsIn(s.dir).length === 0, 'the segment to be deleted');
    const at = s.api.requests.map((r) => r.at);
    expect(at).toHaveLength(4);
    expect(at[1]! - at[0]!).toBeGreaterThanOrEqual(7000);
    expect(at[2]! - at[1]!).toBeGreaterThanOrEqual(4000);
    // Without Retry-After, the backoff alone (10 ms here): the two above are the API's.
    expect(at[3]! - at[2]!).toBeLessThan(1000);
    expect(shipper.state().failures).toEqual({ '503': 1, '429': 1, '500': 1 });
  });

  it('logs a refused token loudly, waits the maximum, and never logs the token', async () => {
    const s = await ship((batch, n) => (n <= 2 ? { status: 401, body: '{"detail":"no"}' } : ok(batch)));
    writeSegment(s.dir, 1, linesOf([cdrRecord()]));
    const shipper = s.start();
    cleanups.push(() => shipper.stop());
    await until(() => segmentsIn(s.dir).length === 0, 'the segment to be deleted');
    expect(s.time.sleeps).toEqual([60_000, 60_000]);
    const errors = s.lines.map((l) => JSON.parse(l)).filter((l) => l.level === 'error');
    expect(errors).toHaveLength(2);
    expect(errors[0].error).toMatch(/401.*TANDEM_RELAY_TOKEN/);
    expect(s.lines.some((l) => l.includes('cdr shipping recovered'))).toBe(true);
    expect(s.lines.join('\n')).not.toContain(TOKEN);
    expect(s.lines.join('\n')).not.toContain(TOKEN.slice(10));
  });

  it('retries after a network error and a timeout, without logging the token', async () => {
    const s = await ship((batch, n) => (n === 1 ? null : ok(batch)), { timeoutMs: 100 });
    writeSegment(s.dir, 1, linesOf([cdrRecord()]));
    const shipper = s.start();
    cleanups.push(() => shipper.stop());
    await until(() => segmentsIn(s.dir).length === 0, 'the segment to be deleted');
    expect(shipper.state().failures).toEqual({ timeout: 1 });

    const closed = await freePort();
    const down = await ship(ok, { url: `http://127.0.0.1:${closed}/v1/cdrs` });
    writeSegment(down.dir, 1, linesOf([cdrRecord()]));
    const failing = down.start();
    cleanups.push(() => failing.stop());
    await until(() => (failing.state().failures['network'] ?? 0) >= 2, 'two network failures');
    expect(failing.state()).toMatchObject({
      pendingSegments: 1,
      lastError: expect.stringMatching(/^network/),
    });
    expect(segmentsIn(down.dir)).toHaveLength(1);
    expect(down.lines.join('\n')).not.toContain(TOKEN);
  });

  it('sets aside unreadable, off-contract and torn lines while the other records ship', async () => {
    const s = await ship(ok);
    const [a, b] = [cdrRecord(), cdrRecord()];
    const name = writeSegment(
      s.dir,
      1,
      [
        JSON.stringify(a),
        'garbage +4930123456',
        JSON.stringify({ ...cdrRecord(), final_code: 42 }),
        JSON.stringify(b),
      ],
      '\n{"id":"torn',
    );
    const shipper = s.start();
    cleanups.push(() => shipper.stop());
    await until(() => segmentsIn(s.dir).length === 0, 'the segment to be deleted');
    expect(s.api.ids()).toEqual([a.id, b.id]);
    const rejected = readFileSync(join(s.dir, REJECTED_DIR, name), 'utf8').split('\n');
    expect(rejected.filter((l) => l.startsWith('#'))).toEqual([
      '# line 2: unreadable: not JSON',
      expect.stringMatching(/^# line 3: invalid: not a CDR: final_code/),
      '# line 5: unreadable: torn line (no newline)',
    ]);
    expect(rejected).toContain('garbage +4930123456');
    expect(rejected).toContain('{"id":"torn');
    expect(shipper.state().rejected).toEqual({ unreadable: 2, invalid: 1, refused_by_api: 0 });
    const warnings = s.lines.filter((l) => l.includes('cdr lines set aside'));
    expect(warnings).toHaveLength(1);
    expect(JSON.parse(warnings[0]!)).toMatchObject({ level: 'warn', segment: name, lines: 3 });
    expect(s.lines.join('\n')).not.toContain('4930123456');
  });

  it('sets aside a batch the API refuses (400) and goes on with the next segment', async () => {
    const s = await ship((batch, n) =>
      n === 1
        ? {
            status: 400,
            body: JSON.stringify({
              detail: 'cdrs: unknown field',
              errors: batch.records.map((_, i) => ({
                field: `cdrs.${i}`,
                message: "Unrecognized key: 'rating'",
              })),
            }),
          }
        : ok(batch),
    );
    const newer = [cdrRecord(), cdrRecord()].map((r) => ({ ...r, rating: { cost: 1 } }));
    const first = writeSegment(
      s.dir,
      1,
      newer.map((r) => JSON.stringify(r)),
    );
    const next = cdrRecord();
    writeSegment(s.dir, 2, linesOf([next]));
    const shipper = s.start();
    cleanups.push(() => shipper.stop());
    await until(() => segmentsIn(s.dir).length === 0, 'both segments to be deleted');
    expect(s.api.requests.map((r) => r.records.length)).toEqual([2, 1]);
    expect(s.api.requests[1]!.records[0]!.id).toBe(next.id);
    const rejected = readFileSync(join(s.dir, REJECTED_DIR, first), 'utf8')
      .split('\n')
      .filter(Boolean);
    expect(rejected).toEqual([
      `# refused by the API (HTTP 400) in batch ${first}#0: (record): Unrecognized key: 'rating'`,
      JSON.stringify(newer[0]),
      `# refused by the API (HTTP 400) in batch ${first}#0: (record): Unrecognized key: 'rating'`,
      JSON.stringify(newer[1]),
    ]);
    expect(shipper.state().rejected.refused_by_api).toBe(2);
    expect(shipper.state().failures).toEqual({ '400': 1 });
    const error = s.lines.map((l) => JSON.parse(l)).find((l) => l.level === 'error');
    expect(error).toMatchObject({ status: 400, records: 2, detail: 'cdrs: unknown field' });
  });

  it('sets aside only the records a 400 names and sends the rest again under a new key', async () => {
    const s = await ship((batch, n) =>
      n === 1
        ? {
            status: 400,
            body: JSON.stringify({
              detail: 'invalid batch',
              errors: [{ field: 'cdrs.1.tm_invite', message: 'Invalid ISO datetime' }],
            }),
          }
        : ok(batch),
    );
    const records = [cdrRecord(), cdrRecord(), cdrRecord()];
    const name = writeSegment(s.dir, 1, linesOf(records));
    const shipper = s.start();
    cleanups.push(() => shipper.stop());
    await until(() => segmentsIn(s.dir).length === 0, 'the segment to be deleted');
    expect(s.api.requests.map((r) => r.key)).toEqual([`${name}#0`, `${name}#0.1`]);
    expect(s.api.requests[1]!.records.map((r) => r.id)).toEqual([records[0]!.id, records[2]!.id]);
    expect(readFileSync(join(s.dir, REJECTED_DIR, name), 'utf8')).toBe(
      `# refused by the API (HTTP 400) in batch ${name}#0: tm_invite: Invalid ISO datetime\n${JSON.stringify(records[1])}\n`,
    );
  });

  it('sets aside a batch answered 413', async () => {
    const s = await ship((batch, n) => (n === 1 ? { status: 413, body: '' } : ok(batch)));
    const name = writeSegment(s.dir, 1, linesOf([cdrRecord()]));
    const shipper = s.start();
    cleanups.push(() => shipper.stop());
    await until(() => segmentsIn(s.dir).length === 0, 'the segment to be deleted');
    expect(readFileSync(join(s.dir, REJECTED_DIR, name), 'utf8')).toMatch(
      /^# refused by the API \(HTTP 413\)/,
    );
    expect(s.api.requests).toHaveLength(1);
  });

  it('stops while it scans the folder, without waiting for the next poll', async () => {
    const s = await ship(ok, { pollMs: 600_000 });
    const shipper = s.start(); // scanning now: the folder is being read
    await shipper.stop(); // a missed stop would wait the 10-minute poll: the test's deadline fails it
  }, 5000);

  it('wakes up at once when kicked, and stops with a request in flight', async () => {
    const s = await ship(() => null, { pollMs: 600_000 });
    const shipper = s.start();
    await until(() => shipper.state().pendingSegments === 0, 'the first scan');
    await new Promise((r) => setTimeout(r, 20)); // now idle until the poll, 10 minutes away
    writeSegment(s.dir, 1, linesOf([cdrRecord()]));
    shipper.kick();
    await until(() => s.api.requests.length === 1, 'the kicked request');
    await shipper.stop(); // the API never answers: stop aborts the request
    expect(segmentsIn(s.dir)).toHaveLength(1);
    expect(shipper.state().failures).toEqual({});
  });
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}
