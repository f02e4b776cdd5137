import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { usageError } from './errors';
import type { ConfigFile } from './settings';

/** The config file at `path`, or undefined when there is none. */
export async function readConfig(path: string): Promise<ConfigFile | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw usageError(`cannot read the config file ${path}: ${(error as Error).message}`);
  }
  const { parseConfig } = await import('./config-schema');
  return parseConfig(text, path);
}

/**
 * Writes the config file readable by its owner only (it holds keys): a temporary file of mode
 * 0600 renamed over the old one, so a crash never leaves half a file.
 */
export async function writeConfig(path: string, file: ConfigFile): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
  await chmod(temporary, 0o600);
  await rename(temporary, path);
}
