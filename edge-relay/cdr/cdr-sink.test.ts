import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cdrRecord } from '../../contract/cdr.fixture';
import { cdrUnhealthy } from './cdr-health';
import type { CdrSinkSettings } from './cdr-settings';
import { type CdrSink, createCdrSink } from './cdr-sink';
import { SpoolFullError } from './cdr-spool';
import { capturingLogger, namesIn, ok, startApiStandIn, TOKEN, tempDir, until } from './cdr-test-kit.fixture';

const LINE_BYTES = Buffer.byteLength(`${JSON.stringify(cdrRecord())}\n`);
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function settings(spoolDir: string, url: string, overrides: Partial<CdrSinkSettings> = {}): CdrSinkSettings {
  return {
    url,
    token: TOKEN,
    spoolDir,
    capBytes: 1024 * 1024,
    fsyncMs: 5,
    segmentBytes: 1024 * 1024,
    sealMs: 20,
    batchSize: 500,
    backoff: { minMs: 10, maxMs: 50 },
    timeoutMs: 2000,
    ...overrides,
  };
}

async function sinkOn(spoolDir: string, url: string, overrides: Partial<CdrSinkSettings> = {}) {
  const { log, lines } = capturingLogger();
  const sink: CdrSink = await createCdrSink(settings(spoolDir, url, overrides), { log });
  cleanups.push(() => sink.close());
  return { sink, lines };
}

const segmentsIn = (dir: string) => namesIn(dir).filter((n) => /\.jsonl(\.open)?$/.test(n));

describe('CDR sink', () => {
  it('records to disk, ships, and deletes what the API acknowledged', async () => {
    const tmp = tempDir();
    cleanups.push(tmp.remove);
    const api = await startApiStandIn();
    cleanups.push(api.close);
    const { sink } = await sinkOn(tmp.dir, api.url);
    const records = [cdrRecord(), cdrRecord(), cdrRecord()];
    await Promise.all(records.map((r) => sink.record(r)));
    await until(() => sink.health().spoolBytes === 0, 'the records to ship and leave the spool');
    expect(segmentsIn(tmp.dir)).toEqual([]);
    expect(api.ids().sort()).toEqual(records.map((r) => r.id).sort());
    expect(sink.health()).toMatchObject({
      level: 'ok',
      spoolBytes: 0,
      segments: 0,
      spooled: 3,
      shipped: 3,
      pendingSegments: 0,
    });
  });

  it('replays after a restart what was not acknowledged, a segment left open included', async () => {
    const tmp = tempDir();
    cleanups.push(tmp.remove);
    const api = await startApiStandIn(() => ({ status: 503 }));
    cleanups.push(api.close);
    const first = await sinkOn(tmp.dir, api.url);
    const records = Array.from({ length: 5 }, () => cdrRecord());
    for (const r of records) await first.sink.record(r);
    await until(() => api.requests.length >= 2, 'the API to refuse twice');
    await first.sink.close();
    expect(segmentsIn(tmp.dir).every((n) => n.endsWith('.jsonl'))).toBe(true);
    expect(segmentsIn(tmp.dir).length).toBeGreaterThan(0);
    // A run killed mid-segment: its active segment is still `.open`, its last line torn.
    const crashed = cdrRecord();
    const left = 'cdr-0000000000000001-deadbeef.jsonl.open';
    writeFileSync(join(tmp.dir, left), `${JSON.stringify(crashed)}\n{"id":"3f`);

    api.answerWith(ok);
    const before = api.requests.length;
    const second = await sinkOn(tmp.dir, api.url);
    await until(() => second.sink.health().spoolBytes === 0, 'the spool to drain');
    expect(segmentsIn(tmp.dir)).toEqual([]);
    const replayed = api.requests.slice(before).flatMap((r) => r.records.map((c) => c.id));
    expect(replayed.sort()).toEqual([...records, crashed].map((r) => r.id).sort());
    expect(second.sink.health()).toMatchObject({ shipped: 6, spoolBytes: 0, rejected: { unreadable: 1 } });
    expect(readFileSync(join(tmp.dir, 'rejected', 'cdr-0000000000000001-deadbeef.jsonl'), 'utf8')).toContain(
      '{"id":"3f',
    );
  });

  it('refuses new calls from 95 % of the cap while it still takes the records of calls in progress', async () => {
    const tmp = tempDir();
    cleanups.push(tmp.remove);
    const api = await startApiStandIn(() => ({ status: 503 }));
    cleanups.push(api.close);
    const { sink } = await sinkOn(tmp.dir, api.url, { capBytes: LINE_BYTES * 20 });
    for (let i = 0; i < 18; i += 1) await sink.record(cdrRecord());
    expect(sink.refusesCalls()).toBe(false);
    await sink.record(cdrRecord()); // 19 of 20 lines: 95 %
    expect(sink.refusesCalls()).toBe(true);
    expect(cdrUnhealthy(sink.health())).toBe('cdr spool full');
    await sink.record(cdrRecord()); // a call that was up still gets its record
    expect(sink.health()).toMatchObject({ level: 'full', spooled: 20 });
  });

  it('refuses records at the cap while the API is down, and is back to ok once it drains', async () => {
    const tmp = tempDir();
    cleanups.push(tmp.remove);
    const api = await startApiStandIn(() => ({ status: 503 }));
    cleanups.push(api.close);
    const { sink, lines } = await sinkOn(tmp.dir, api.url, { capBytes: LINE_BYTES * 4 });
    let refused: unknown;
    for (let i = 0; i < 10 && refused === undefined; i += 1) {
      await sink.record(cdrRecord()).catch((error: unknown) => {
        refused = error;
      });
    }
    expect(refused).toBeInstanceOf(SpoolFullError);
    expect(sink.refusesCalls()).toBe(true);
    expect(sink.health()).toMatchObject({ level: 'full', spooled: 4 });
    api.answerWith(ok);
    await until(() => sink.health().spoolBytes === 0, 'the spool to drain', 15_000);
    expect(sink.health().level).toBe('ok');
    expect(sink.refusesCalls()).toBe(false);
    expect(new Set(api.ids()).size).toBe(4);
    expect(lines.some((l) => l.includes('cdr spool back to normal'))).toBe(true);
    await sink.record(cdrRecord());
  });
});
