import { afterEach, describe, expect, it, vi } from 'vitest';
import { logLine } from './log';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('functions log line', () => {
  it('writes one JSON line with an ISO 8601 time first, on the console method of its level', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const info = vi.spyOn(console, 'info').mockImplementation(() => {});
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    logLine({ level: 'warn', msg: 'decision: version bump failed', error: 'timeout' });
    logLine({ level: 'info', msg: 'cdr batch stored', records: 2 });
    logLine({ level: 'error', msg: 'unhandled error' });
    expect(info).toHaveBeenCalledTimes(1);
    expect(error).toHaveBeenCalledTimes(1);
    const text = warn.mock.calls[0]![0] as string;
    expect(Object.keys(JSON.parse(text))).toEqual(['time', 'level', 'msg', 'error']);
    const line = JSON.parse(text) as { time: string };
    expect(line).toMatchObject({ level: 'warn', msg: 'decision: version bump failed', error: 'timeout' });
    expect(new Date(line.time).toISOString()).toBe(line.time);
  });

  it('keeps its own time when an entry carries a field of that name', () => {
    const info = vi.spyOn(console, 'info').mockImplementation(() => {});
    logLine({ level: 'info', msg: 'x', time: 'yesterday' });
    const line = JSON.parse(info.mock.calls[0]![0] as string) as { time: string };
    expect(line.time).not.toBe('yesterday');
    expect(new Date(line.time).toISOString()).toBe(line.time);
  });
});
