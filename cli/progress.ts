import { SingleBar } from 'cli-progress';

export type Progress = { update(done: number): void; stop(): void };

const NONE: Progress = { update() {}, stop() {} };

const mb = (bytes: number) => (bytes / 1e6).toFixed(1);

/**
 * A progress bar of bytes on `stream` (stderr), shown only when it is a terminal: a script or a
 * pipe reads the answer alone.
 */
export function byteProgress(stream: NodeJS.WriteStream, total: number, label: string): Progress {
  if (!stream.isTTY || total === 0) return NONE;
  const bar = new SingleBar({
    stream,
    format: `${label} [{bar}] {percentage}% | {done}/{size} MB`,
    hideCursor: true,
    clearOnComplete: false,
    barsize: 30,
  });
  bar.start(total, 0, { done: mb(0), size: mb(total) });
  return {
    update(done) {
      bar.update(done, { done: mb(done), size: mb(total) });
    },
    stop() {
      bar.stop();
    },
  };
}
