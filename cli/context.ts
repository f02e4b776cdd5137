import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { type ApiClient, createApiClient } from './api-client';
import { readConfig } from './config-store';
import { usageError } from './errors';
import { baseUrl } from './request';
import { configPath, resolveSettings, type Settings } from './settings';

/** What the CLI reads and writes: the process's streams and environment (a test passes its own). */
export type Io = {
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
  readonly stdin: NodeJS.ReadStream;
  readonly env: NodeJS.ProcessEnv;
  readonly home: string;
};

/** The options every command takes (defined on the program). */
export type GlobalOptions = {
  url?: string;
  key?: string;
  profile?: string;
  json?: boolean;
  timeout: number;
};

/** A command's settings, client and output, resolved once when its action runs. */
export type Context = {
  readonly io: Io;
  readonly options: GlobalOptions & Record<string, unknown>;
  readonly settings: Settings;
  readonly configPath: string;
  /** The API client; throws a usage error when no key is configured. */
  api(): ApiClient;
  /** `value` as JSON with --json, else the text `human` makes of it. */
  print(value: unknown, human: () => string): void;
  /** A note on stderr (progress, hints), never on stdout, which holds the answer alone. */
  note(text: string): void;
};

export async function contextOf(io: Io, command: Command): Promise<Context> {
  const options = command.optsWithGlobals<GlobalOptions & Record<string, unknown>>();
  const path = configPath(io.env, io.home);
  const settings = resolveSettings(
    {
      url: options.url,
      key: options.key,
      profile: options.profile,
      relay: options.relay as string | undefined,
      relayToken: options.relayToken as string | undefined,
    },
    io.env,
    await readConfig(path),
  );
  let client: ApiClient | undefined;
  return {
    io,
    options,
    settings,
    configPath: path,
    api() {
      if (!settings.key) {
        throw usageError(
          'no API key: pass --key, set TANDEM_KEY, or store one with `tandem config set --key …`',
        );
      }
      client ??= createApiClient({
        base: baseUrl(settings.url),
        key: settings.key,
        timeoutMs: options.timeout * 1000,
      });
      return client;
    },
    print(value, human) {
      io.stdout.write(`${options.json ? JSON.stringify(value, null, 2) : human()}\n`);
    },
    note(text) {
      io.stderr.write(`${text}\n`);
    },
  };
}

/** A file's bytes; `-` reads stdin. A missing file is a usage error naming it. */
export async function readInput(io: Io, name: string): Promise<Buffer> {
  if (name === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of io.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }
  try {
    return await readFile(name);
  } catch (error) {
    throw usageError(
      `cannot read ${name}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
}
