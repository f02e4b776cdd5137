import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadOrCreateLocalSecrets } from './local-secrets';

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('loadOrCreateLocalSecrets', () => {
  it('generates once, keeps the file private, and returns the same secrets on the next start', () => {
    const dir = join(tempDir(), 'data');
    const first = loadOrCreateLocalSecrets(dir);
    expect(first.created).toBe(true);
    expect(first.secrets.admin_key).toMatch(/^tdm_admin_[A-Za-z0-9_-]{43}$/);
    expect(statSync(join(dir, 'secrets.json')).mode & 0o777).toBe(0o600);
    const second = loadOrCreateLocalSecrets(dir);
    expect(second).toEqual({ secrets: first.secrets, created: false });
  });

  it('refuses a corrupt file instead of silently replacing the keys', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'secrets.json'), '{"admin_key": 1}');
    expect(() => loadOrCreateLocalSecrets(dir)).toThrow(/corrupt/);
  });
});
