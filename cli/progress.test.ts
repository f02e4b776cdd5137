import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { byteProgress } from './progress';

const stream = (tty: boolean) => {
  const s = new PassThrough() as PassThrough & { isTTY?: boolean; columns?: number; text: string };
  s.isTTY = tty;
  s.columns = 100;
  s.text = '';
  s.on('data', (d: Buffer) => {
    s.text += d.toString();
  });
  return s;
};

describe('byteProgress', () => {
  it('draws a bar of the bytes sent on a terminal', () => {
    const tty = stream(true);
    const bar = byteProgress(tty as unknown as NodeJS.WriteStream, 4_000_000, 'uploading deck.csv');
    bar.update(2_000_000);
    bar.update(4_000_000);
    bar.stop();
    expect(tty.text).toMatch(/uploading deck\.csv \[[^\]]+\] 100% \| 4\.0\/4\.0 MB/);
  });

  it('writes nothing when the stream is no terminal', () => {
    const pipe = stream(false);
    const bar = byteProgress(pipe as unknown as NodeJS.WriteStream, 4_000_000, 'uploading deck.csv');
    bar.update(4_000_000);
    bar.stop();
    expect(pipe.text).toBe('');
  });
});
