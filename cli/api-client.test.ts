import { describe, expect, it } from 'vitest';
import { bearer, createApiClient } from './api-client';
import { CliError } from './errors';
import { EXIT } from './exit-codes';

describe('bearer', () => {
  it('makes the Authorization value of a key', () => {
    expect(bearer('tdm_abc123', 'the API key')).toBe('Bearer tdm_abc123');
  });

  it('refuses a key a header cannot carry without showing it', () => {
    for (const secret of ['tdm_SECRET\n', 'tdm_SECRET\r\nx: y', 'tdm_SECRÉT', '']) {
      let error: unknown;
      try {
        createApiClient({ base: 'http://127.0.0.1:1', key: secret, timeoutMs: 1000 });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(CliError);
      expect((error as CliError).exitCode).toBe(EXIT.usage);
      expect((error as Error).message).toMatch(/^the API key holds a character/);
      expect((error as Error).message).not.toContain('SECRET');
    }
  });
});
