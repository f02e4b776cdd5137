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
