import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cdrRecord } from '../../contract/cdr.fixture';
import { type DurableFs, nodeDurableFs } from '../disk/durable-fs';
import { type CdrSpoolOptions, openCdrSpool, SpoolFullError } from './cdr-spool';
import { capturingLogger, countingFs, namesIn, tempDir, until } from './cdr-test-kit.fixture';

const LINE_BYTES = Buffer.byteLength(`${JSON.stringify(cdrRecord())}\n`);
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function spoolIn(overrides: Partial<CdrSpoolOptions> = {}) {
  const tmp = tempDir();
  const { log, lines } = capturingLogger();
  const spool = await openCdrSpool({
    dir: tmp.dir,
    capBytes: 1024 * 1024,
    fsyncMs: 20,
    segmentBytes: 1024 * 1024,
    sealMs: 60_000,
    log,
    ...overrides,
  });
  cleanups.push(tmp.remove, () => spool.close());
  return { spool, dir: overrides.dir ?? tmp.dir, lines };
}

const openSegments = (dir: string) => namesIn(dir).filter((n) => n.endsWith('.jsonl.open'));
const sealedSegments = (dir: string) => namesIn(dir).filter((n) => n.endsWith('.jsonl'));
const linesOf = (path: string) => readFileSync(path, 'utf8').split('\n').filter(Boolean);

describe('CDR spool', () => {
  it('group-commits: appends of one window share one write and one fsync', async () => {
    const { fs, counts } = countingFs();
    const { spool, dir } = await spoolIn({ fs });
    const records = Array.from({ length: 300 }, () => cdrRecord());
    await Promise.all(records.map((r) => spool.append(r)));
    expect(counts.writes).toBeLessThanOrEqual(2);
    expect(counts.datasyncs).toBeLessThanOrEqual(2);
    const written = linesOf(join(dir, openSegments(dir)[0]!)).map((l) => JSON.parse(l).id);
    expect(written).toEqual(records.map((r) => r.id));
    // One window per append when each waits for the previous one: the count is real.
    const before = counts.datasyncs;
    for (let i = 0; i < 3; i += 1) await spool.append(cdrRecord());
    expect(counts.datasyncs - before).toBe(3);
  });

  it('waits out the window for appends made on later turns of the event loop', async () => {
    const { fs, counts } = countingFs();
    const { spool } = await spoolIn({ fs, fsyncMs: 500 });
    const appended: Promise<void>[] = [];
    for (let i = 0; i < 10; i += 1) {
      appended.push(spool.append(cdrRecord()));
      await new Promise((r) => setImmediate(r)); // another turn, well within the window
    }
    await Promise.all(appended);
    expect(counts.writes).toBe(1);
    expect(counts.datasyncs).toBe(1);
  });

  it('resolves an append only once its line is written and fsynced', async () => {
    let releaseSync: (() => void) | undefined;
    const held: DurableFs = {
      ...nodeDurableFs,
      open: async (path, flags) => {
        const file = await nodeDurableFs.open(path, flags);
        return {
          ...file,
          datasync: async () => {
            await new Promise<void>((r) => {
              releaseSync = r;
            });
            await file.datasync();
          },
        };
      },
    };
    const { spool, dir } = await spoolIn({ fs: held });
    const record = cdrRecord();
    let resolved = false;
    const appended = spool.append(record).then(() => {
      resolved = true;
    });
    await until(() => releaseSync !== undefined, 'the fsync to start');
    await new Promise((r) => setTimeout(r, 20));
    expect(resolved).toBe(false);
    releaseSync!();
    await appended;
    expect(JSON.parse(linesOf(join(dir, openSegments(dir)[0]!))[0]!)).toEqual(record);
  });

  it('seals a segment once it reaches its size, and tells the shipper', async () => {
    const sealed: string[] = [];
    const { spool, dir } = await spoolIn({ segmentBytes: LINE_BYTES * 2, onSeal: (s) => sealed.push(s) });
    for (let i = 0; i < 5; i += 1) await spool.append(cdrRecord());
    expect(sealedSegments(dir)).toHaveLength(2);
    expect(sealed).toEqual(sealedSegments(dir));
    for (const name of sealed) expect(linesOf(join(dir, name))).toHaveLength(2);
    expect(openSegments(dir)).toHaveLength(1);
    expect(spool.state()).toMatchObject({ bytes: LINE_BYTES * 5, segments: 3, level: 'ok' });
  });

  it('seals a segment sealMs after its first record', async () => {
    const sealed: string[] = [];
    const { spool, dir } = await spoolIn({ sealMs: 30, onSeal: (s) => sealed.push(s) });
    const record = cdrRecord();
    await spool.append(record);
    await until(() => sealed.length === 1, 'the segment to be sealed by age');
    expect(openSegments(dir)).toEqual([]);
    expect(linesOf(join(dir, sealed[0]!)).map((l) => JSON.parse(l).id)).toEqual([record.id]);
    // The next record opens a new segment.
    await spool.append(cdrRecord());
    expect(openSegments(dir)).toHaveLength(1);
  });

  it('on open, seals a segment a previous run left active, torn last line and all', async () => {
    const tmp = tempDir();
    cleanups.push(tmp.remove);
    const left = 'cdr-0001764930000000-0badf00d.jsonl.open';
    const text = `${JSON.stringify(cdrRecord())}\n{"id":"to`;
    writeFileSync(join(tmp.dir, left), text);
    const { spool, dir, lines } = await spoolIn({ dir: tmp.dir });
    expect(sealedSegments(dir)).toEqual(['cdr-0001764930000000-0badf00d.jsonl']);
    expect(openSegments(dir)).toEqual([]);
    expect(readFileSync(join(dir, sealedSegments(dir)[0]!), 'utf8')).toBe(text);
    expect(spool.state()).toMatchObject({ bytes: Buffer.byteLength(text), segments: 1 });
    expect(lines.some((l) => l.includes('left open by a previous run'))).toBe(true);
  });

  it('warns at 80 % of the cap, refuses appends at the cap without writing, recovers on release', async () => {
    const { spool, dir, lines } = await spoolIn({ capBytes: Math.floor(LINE_BYTES * 2.5) });
    await spool.append(cdrRecord());
    expect(spool.state().level).toBe('ok');
    await spool.append(cdrRecord());
    expect(spool.state().level).toBe('filling');
    await spool.append(cdrRecord());
    expect(spool.state()).toMatchObject({ level: 'full', bytes: LINE_BYTES * 3 });
    const refused = cdrRecord();
    await expect(spool.append(refused)).rejects.toBeInstanceOf(SpoolFullError);
    await spool.close();
    const onDisk = sealedSegments(dir).flatMap((n) => linesOf(join(dir, n)));
    expect(onDisk).toHaveLength(3);
    expect(onDisk.join('\n')).not.toContain(refused.id);
    const levels = lines.map((l) => JSON.parse(l)).filter((l) => /cdr spool (full|filling|back)/.test(l.msg));
    expect(levels.map((l) => [l.level, l.msg.split(':')[0]])).toEqual([
      ['warn', 'cdr spool filling'],
      ['warn', 'cdr spool full'],
    ]);
    spool.release(LINE_BYTES * 3);
    expect(spool.state()).toMatchObject({ level: 'ok', bytes: 0 });
    expect(lines.at(-1)).toContain('cdr spool back to normal');
  });

  it('refuses appends after close and leaves its last segment sealed', async () => {
    const { spool, dir } = await spoolIn();
    const pending = spool.append(cdrRecord());
    await spool.close();
    await pending; // written by close
    expect(openSegments(dir)).toEqual([]);
    expect(sealedSegments(dir)).toHaveLength(1);
    await expect(spool.append(cdrRecord())).rejects.toThrow(/closed/);
  });

  it('refuses the appends of a failed write and cuts them from the segment', async () => {
    let fail = false;
    const failing: DurableFs = {
      ...nodeDurableFs,
      open: async (path, flags) => {
        const file = await nodeDurableFs.open(path, flags);
        return {
          ...file,
          datasync: async () => {
            if (fail) throw Object.assign(new Error('EIO: i/o error'), { code: 'EIO' });
            await file.datasync();
          },
        };
      },
    };
    const { spool, dir } = await spoolIn({ fs: failing });
    const kept = cdrRecord();
    await spool.append(kept);
    fail = true;
    await expect(spool.append(cdrRecord())).rejects.toThrow(/EIO/);
    fail = false;
    expect(spool.state().bytes).toBe(LINE_BYTES);
    const [first] = sealedSegments(dir);
    expect(linesOf(join(dir, first!)).map((l) => JSON.parse(l).id)).toEqual([kept.id]);
    await spool.append(cdrRecord());
    expect(openSegments(dir)).toHaveLength(1); // a fresh segment, not after the cut
  });
});
