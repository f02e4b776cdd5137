import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { capturingLogger, countingFs, tempDir, until } from '../cdr/cdr-test-kit.fixture';
import { type DurableFs, nodeDurableFs } from '../disk/durable-fs';
import { storedDialog } from './dialog.fixture';
import {
  COMPACTING_FILE,
  type FileDialogStoreOptions,
  GROUP_COMMIT_LINES,
  JOURNAL_FILE,
  openFileDialogStore,
} from './file-dialog-store';

const answeredAt = Date.now();
const dialog = (n: number, cdr?: string) => storedDialog(n, answeredAt, cdr);

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function folder(): string {
  const tmp = tempDir();
  cleanups.push(tmp.remove);
  return join(tmp.dir, 'dialogs');
}

async function open(dir: string, overrides: Partial<FileDialogStoreOptions> = {}) {
  const { log, lines } = capturingLogger();
  const store = await openFileDialogStore({ dir, ttlMs: 3600_000, fsyncMs: 20, log, ...overrides });
  cleanups.push(() => store.close());
  return { store, lines };
}

const journalLines = (dir: string) =>
  readFileSync(join(dir, JOURNAL_FILE), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { put?: { call_id: string }; delete?: string });

describe('file dialog store', () => {
  it('gives a relay started again every call it had answered, with its record', async () => {
    const dir = folder();
    const first = await open(dir);
    await Promise.all([1, 2, 3].map((n) => first.store.put(dialog(n, `{"id":"r${n}"}`))));
    await first.store.put({ ...dialog(2, '{"id":"r2"}'), cseq_offset: 2 }); // the last write wins
    // Not closed: a crash leaves the journal as the last resolved write left it.
    const again = await open(dir);
    expect(await again.store.size()).toBe(3);
    expect(await again.store.get(dialog(1).call_id)).toEqual(dialog(1, '{"id":"r1"}'));
    expect(await again.store.get(dialog(2).call_id)).toEqual({ ...dialog(2, '{"id":"r2"}'), cseq_offset: 2 });
    expect(
      again.lines.some((l) => l.includes('dialogs restored from journal') && l.includes('"dialogs":3')),
    ).toBe(true);
  });

  it('keeps ended calls ended across a restart: delete, take and expiry are journaled', async () => {
    const dir = folder();
    let clock = answeredAt;
    const first = await open(dir, { ttlMs: 1000, now: () => clock });
    await Promise.all([1, 2, 3, 4].map((n) => first.store.put(dialog(n))));
    await first.store.delete(dialog(1).call_id);
    expect(await first.store.take(dialog(2).call_id)).toEqual(dialog(2));
    clock = answeredAt + 3.5 + 1000; // dialog 3 is past its lifetime, dialog 4 not quite
    expect(await first.store.takeExpired(clock, 10)).toEqual([dialog(3)]);
    // take and takeExpired do not wait for their line; a later put resolves after it is written.
    await first.store.put(dialog(5));
    const again = await open(dir, { ttlMs: 1000, now: () => clock });
    expect(
      (await Promise.all([1, 2, 3, 4, 5].map((n) => again.store.get(dialog(n).call_id)))).map(Boolean),
    ).toEqual([false, false, false, true, true]);
    expect(await again.store.size()).toBe(2);
  });

  it('survives kill -9 of the process that wrote it', async () => {
    const dir = folder();
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        resolve('edge-relay/dialog/journal-writer.fixture.ts'),
        dir,
        '20',
        String(answeredAt),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const exited = new Promise((r) => child.once('exit', r));
    cleanups.push(() => {
      child.kill('SIGKILL');
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    await until(() => out.includes('stored'), 'the writer to store its dialogs', 20_000);
    child.kill('SIGKILL');
    await exited;
    const { store } = await open(dir);
    expect(await store.size()).toBe(19);
    expect(await store.get(dialog(0).call_id)).toBeUndefined(); // ended before the kill
    expect(await store.get(storedDialog(7, answeredAt).call_id)).toEqual(
      storedDialog(7, answeredAt, '{"id":"r7"}'),
    );
  });

  it('skips unreadable lines and a torn last line, and says how many', async () => {
    const dir = folder();
    (await open(dir)).store.close();
    const line = (entry: unknown) => `${JSON.stringify(entry)}\n`;
    writeFileSync(
      join(dir, JOURNAL_FILE),
      line({ put: dialog(1) }) +
        'not json at all\n' +
        line({ put: { call_id: 'half@x', caller: 'nope' } }) +
        line({ put: dialog(2) }) +
        line({ put: dialog(3) }) +
        line({ delete: dialog(3).call_id }) +
        JSON.stringify({ put: dialog(4) }).slice(0, 40), // a write cut short by a power cut
    );
    const { store, lines } = await open(dir);
    expect(await store.size()).toBe(2);
    expect(await store.get(dialog(1).call_id)).toEqual(dialog(1));
    expect(await store.get(dialog(2).call_id)).toEqual(dialog(2));
    const restored = lines.find((l) => l.includes('dialogs restored from journal'));
    expect(JSON.parse(restored!)).toMatchObject({ level: 'warn', dialogs: 2, lines: 7, skipped: 3 });
    // Rewritten at once: the journal holds the live dialogs only, and the next start reads no garbage.
    expect(journalLines(dir)).toEqual([{ put: dialog(1) }, { put: dialog(2) }]);
  });

  it('compacts the journal to exactly the live dialogs, when it opens and once it has grown', async () => {
    const dir = folder();
    const first = await open(dir, { compactMinBytes: 4096 });
    const all = Array.from({ length: 40 }, (_, n) => dialog(n));
    await Promise.all(all.map((d) => first.store.put(d)));
    await Promise.all(all.slice(5).map((d) => first.store.delete(d.call_id)));
    // The 5 calls left get their records updated: the journal grows past 4 times what it held.
    const live = all
      .slice(0, 5)
      .map((d) => ({ ...d, cdr: JSON.stringify({ id: d.call_id, pad: 'x'.repeat(20_000) }) }));
    await Promise.all(live.map((d) => first.store.put(d)));
    await first.store.close(); // waits for a compaction under way
    expect(journalLines(dir)).toEqual(live.map((d) => ({ put: d })));
    const second = await open(dir, { compactMinBytes: 4096 });
    await second.store.delete(live[4]!.call_id);
    await second.store.put(live[3]!);
    await second.store.close();
    // A compaction a crash interrupted leaves its file behind; the next one replaces it.
    writeFileSync(join(dir, COMPACTING_FILE), 'half a compaction');
    const third = await open(dir, { compactMinBytes: 4096 });
    expect(journalLines(dir)).toEqual(live.slice(0, 4).map((d) => ({ put: d })));
    expect(existsSync(join(dir, COMPACTING_FILE))).toBe(false);
    expect(await third.store.size()).toBe(4);
  });

  it('group-commits: puts of one window share one write and one fdatasync, resolved after it', async () => {
    const { fs, counts } = countingFs();
    const { store } = await open(folder(), { fs });
    const opened = { ...counts };
    const count = GROUP_COMMIT_LINES + 44;
    const synced: number[] = [];
    await Promise.all(
      Array.from({ length: count }, (_, n) => store.put(dialog(n)).then(() => synced.push(counts.datasyncs))),
    );
    // A burst past GROUP_COMMIT_LINES is written without waiting for the window: 1 or 2 writes.
    const writes = counts.writes - opened.writes;
    expect(writes).toBeLessThanOrEqual(2);
    expect(counts.datasyncs - opened.datasyncs).toBe(writes);
    expect(synced.every((n) => n > opened.datasyncs)).toBe(true);
    // One window each when every put waits for the previous one: the count is real.
    for (let n = 0; n < 3; n += 1) await store.put(dialog(1000 + n));
    expect(counts.datasyncs - opened.datasyncs).toBe(writes + 3);
  });

  it('waits out the window for puts made on later turns of the event loop (calls answered one by one)', async () => {
    const { fs, counts } = countingFs();
    const { store } = await open(folder(), { fs, fsyncMs: 500 });
    const opened = { ...counts };
    const puts: Promise<void>[] = [];
    for (let n = 0; n < 10; n += 1) {
      puts.push(store.put(dialog(n)));
      await new Promise((r) => setImmediate(r)); // another turn, well within the window
    }
    await Promise.all(puts);
    expect(counts.writes - opened.writes).toBe(1);
    expect(counts.datasyncs - opened.datasyncs).toBe(1);
  });

  it('keeps calls whose line failed to reach the disk, and repairs the journal once writes work again', async () => {
    const dir = folder();
    let failing = false;
    const fs: DurableFs = {
      ...nodeDurableFs,
      open: async (path, flags) => {
        const file = await nodeDurableFs.open(path, flags);
        return {
          ...file,
          // Half a line reaches the file, then the disk refuses (a full disk, an I/O error).
          write: async (data) => {
            if (!failing) return file.write(data);
            await file.write(data.subarray(0, 30));
            throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
          },
        };
      },
    };
    const { store, lines } = await open(dir, { fs });
    await store.put(dialog(1));
    failing = true;
    await expect(store.put(dialog(2))).rejects.toThrow('no space left');
    await expect(store.put(dialog(3))).rejects.toThrow('no space left');
    expect(await store.get(dialog(2).call_id)).toEqual(dialog(2)); // the call goes on
    failing = false;
    await store.put(dialog(4));
    const logged = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(logged.filter((l) => l['msg'] === 'dialog journal write failed')).toHaveLength(1);
    expect(logged.filter((l) => l['msg'] === 'dialog journal writes back')).toEqual([
      expect.objectContaining({ lines_failed: 2 }),
    ]);
    await store.close();
    const again = await open(dir);
    expect(await again.store.size()).toBe(4);
    const restored = again.lines.find((l) => l.includes('dialogs restored from journal'));
    expect(JSON.parse(restored!)).toMatchObject({ dialogs: 4, skipped: 0 });
  });

  it('hands dialogs that outlived their lifetime across a restart to the relay, with their record', async () => {
    const dir = folder();
    let clock = answeredAt;
    const first = await open(dir, { ttlMs: 1000, now: () => clock });
    await first.store.put(dialog(1, '{"id":"r1"}'));
    await first.store.put({ ...dialog(2), started_at: answeredAt + 900 });
    await first.store.close();
    clock = answeredAt + 5000; // the relay was down past both lifetimes
    const again = await open(dir, { ttlMs: 1000, now: () => clock });
    expect(await again.store.get(dialog(1).call_id)).toBeUndefined(); // no routing with it
    expect(await again.store.size()).toBe(2); // but not dropped
    expect(await again.store.takeExpired(clock, 1)).toEqual([dialog(1, '{"id":"r1"}')]);
    expect((await again.store.takeExpired(clock, 10)).map((d) => d.call_id)).toEqual([dialog(2).call_id]);
    await again.store.close();
    expect(await (await open(dir, { ttlMs: 1000, now: () => clock })).store.size()).toBe(0);
  });
});
