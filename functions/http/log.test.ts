import { afterEach, describe, expect, it, vi } from 'vitest';
import { logLine, redactQueryTokens } from './log';

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

  it('never writes the api key of a ?token= query (VoIPBIN compatibility)', () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    logLine({
      level: 'error',
      msg: 'unhandled error',
      error: 'bad request to https://api.example/v1.0/routes?page_size=5&token=tdm_secretkey0123456789abcdef',
      url: '/v1.0/routes?token=the-admin-key-0123&page_token=abc',
    });
    const text = error.mock.calls[0]![0] as string;
    expect(text).not.toContain('secretkey');
    expect(text).not.toContain('the-admin-key');
    expect(JSON.parse(text)).toMatchObject({
      error: 'bad request to https://api.example/v1.0/routes?page_size=5&token=[redacted]',
      url: '/v1.0/routes?token=[redacted]&page_token=abc',
    });
  });

  it('leaves page_token and other query fields alone', () => {
    expect(redactQueryTokens('/v1.0/routes?page_token=abc&x=1')).toBe('/v1.0/routes?page_token=abc&x=1');
    expect(redactQueryTokens('?TOKEN=k#frag')).toBe('?TOKEN=[redacted]#frag');
  });
});
