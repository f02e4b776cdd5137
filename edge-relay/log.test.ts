import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger } from './log';

describe('relay logger', () => {
  it('writes time (ISO 8601), level and msg first on every line, fields after them', () => {
    const lines: string[] = [];
    const log = createLogger('info', (l) => lines.push(l));
    log.info('call ended', { call_id: 'c1', by: 'caller' });
    log.warn('overloaded');
    log.debug('not written at info');
    expect(lines).toHaveLength(2);
    expect(lines.every((l) => l.endsWith('\n'))).toBe(true);
    const first = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(Object.keys(first)).toEqual(['time', 'level', 'msg', 'call_id', 'by']);
    expect(new Date(first['time'] as string).toISOString()).toBe(first['time']);
    expect(JSON.parse(lines[1]!)).toMatchObject({ level: 'warn', msg: 'overloaded' });
  });

  it('never lets a field overwrite time, level or msg', () => {
    const lines: string[] = [];
    createLogger('info', (l) => lines.push(l)).info('real', { time: 'x', level: 'error', msg: 'fake', n: 1 });
    const line = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(line).toMatchObject({ level: 'info', msg: 'real', n: 1 });
    expect(line['time']).not.toBe('x');
  });
});

describe('relay logger on standard output (written off the event loop)', () => {
  /** A node process that logs `n` lines at info and exits at once, and what it wrote. */
  function logThenExit(n: number, exit: 'process.exit' | 'throw') {
    const log = resolve(import.meta.dirname, 'log.ts');
    const script = [
      `const { createLogger } = await import(${JSON.stringify(log)});`,
      "const log = createLogger('info');",
      `for (let i = 0; i < ${n}; i++) log.info('line', { i });`,
      exit === 'process.exit' ? 'process.exit(0);' : "throw new Error('boom');",
    ].join('\n');
    return spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
  }

  it.each(['process.exit', 'throw'] as const)(
    'writes out every buffered line when the process ends by %s',
    (exit) => {
      const run = logThenExit(20_000, exit);
      const lines = run.stdout.split('\n').filter((l) => l !== '');
      expect(lines).toHaveLength(20_000);
      expect(JSON.parse(lines.at(-1)!)).toMatchObject({ level: 'info', msg: 'line', i: 19_999 });
    },
  );
});
