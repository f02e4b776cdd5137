import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Prepares `.sst/platform` (SST's component sources and the Pulumi packages
 * they import) so `tsc -p infra/tsconfig.json` checks sst.config.ts against
 * the real types, without the Pulumi CLI or Bun that `sst install` downloads
 * from GitHub:
 * - SST_SKIP_DEPENDENCY_CHECK=1 skips downloading the Pulumi CLI and Bun;
 * - SST_BUN_PATH points SST's `bun install` at a shim that runs `npm install`
 *   (the npm registry is the only network this needs; `npm ci` needs it too).
 * The CLI then copies its embedded platform sources, writes config.d.ts and
 * the provider lock, exactly as `sst install` does. Nothing is deployed.
 *
 * @example
 * npx tsx infra/check/prepare-platform.ts   # then: tsc -p infra/tsconfig.json
 */
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const platform = join(root, '.sst', 'platform');
const require = createRequire(import.meta.url);
// sst's package.json is not exported: read it from disk.
const sstVersion: string = JSON.parse(
  readFileSync(join(root, 'node_modules', 'sst', 'package.json'), 'utf8'),
).version;

function isPrepared(): boolean {
  const versionFile = join(platform, 'version');
  return (
    existsSync(versionFile) &&
    readFileSync(versionFile, 'utf8').trim() === sstVersion &&
    existsSync(join(platform, 'config.d.ts')) &&
    existsSync(join(platform, 'node_modules', '@pulumi', 'aws', 'package.json'))
  );
}

function sstBinary(): string {
  const name = `sst-${process.platform}-${process.arch}`;
  return require.resolve(`${name}/bin/${process.platform === 'win32' ? 'sst.exe' : 'sst'}`);
}

function bunShim(): { path: string; dispose: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-bun-shim-'));
  const path = join(dir, 'bun');
  writeFileSync(
    path,
    [
      '#!/bin/sh',
      '# SST runs `bun install` in .sst/platform; npm installs the same package.json.',
      '[ "$1" = install ] || { echo "bun shim: only install is supported, got: $*" >&2; exit 2; }',
      'exec npm install --ignore-scripts --no-audit --no-fund --loglevel=error',
      '',
    ].join('\n'),
  );
  chmodSync(path, 0o755);
  return { path, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

if (isPrepared()) {
  console.log(`.sst/platform is ready for sst ${sstVersion}`);
} else {
  console.log(
    `preparing .sst/platform for sst ${sstVersion} (first run installs the Pulumi packages via npm)`,
  );
  const shim = bunShim();
  try {
    const result = spawnSync(sstBinary(), ['install', '--stage', 'typecheck'], {
      cwd: root,
      stdio: 'inherit',
      env: {
        ...process.env,
        SST_SKIP_DEPENDENCY_CHECK: '1',
        SST_BUN_PATH: shim.path,
        SST_TELEMETRY_DISABLED: '1',
      },
    });
    if (result.status !== 0 || !isPrepared()) {
      console.error('could not prepare .sst/platform (see the output above; .sst/log/sst.log has details)');
      process.exit(1);
    }
  } finally {
    shim.dispose();
  }
}
