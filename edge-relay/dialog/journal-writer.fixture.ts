import { createLogger } from '../log';
import { storedDialog } from './dialog.fixture';
import { openFileDialogStore } from './file-dialog-store';

/*
 * A relay's dialog store in a process of its own, for the test that kills it with SIGKILL:
 * `node --import tsx journal-writer.fixture.ts <dir> <count> <startedAt>` opens the store in
 * <dir>, puts <count> dialogs, ends one, prints `stored` once every put resolved, then waits to be
 * killed without closing anything.
 */
const [dir, count, startedAt] = process.argv.slice(2);
const store = await openFileDialogStore({
  dir: dir!,
  ttlMs: 3600_000,
  fsyncMs: 20,
  log: createLogger('silent'),
});
const dialogs = Array.from({ length: Number(count) }, (_, n) =>
  storedDialog(n, Number(startedAt), `{"id":"r${n}"}`),
);
await Promise.all(dialogs.map((d) => store.put(d)));
await store.delete(dialogs[0]!.call_id);
process.stdout.write('stored\n');
setInterval(() => {}, 60_000);
