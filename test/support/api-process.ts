import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import type { TestStack } from './stack';

const root = resolve(import.meta.dirname, '../..');

export type ApiProcess = { readonly url: string; readonly child: ChildProcess; stop(): Promise<void> };

/**
 * The API (and decision) of `stack` as a process of its own, on the same DynamoDB Local table:
 * a test can freeze it (SIGSTOP), let it go (SIGCONT) or kill it while the in-process stack
 * stays up to configure and read.
 *
 * @example
 * const api = await startApiProcess(stack);
 * api.child.kill('SIGSTOP');
 */
export async function startApiProcess(stack: TestStack): Promise<ApiProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', resolve(root, 'test/support/api-process-main.ts')],
    {
      cwd: root,
      env: {
        PATH: process.env.PATH ?? '',
        API_PROCESS_CONFIG: JSON.stringify({
          endpoint: stack.dynamodbEndpoint,
          tableName: stack.tableName,
          adminKey: stack.adminKey,
          relayToken: stack.relayToken,
          nonceSecret: stack.nonceSecret,
        }),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const url = await new Promise<string>((resolveUrl, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const match = /listening (\S+)/.exec(out);
      if (match) resolveUrl(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`the API process exited (${code}) before listening`)));
  });
  return {
    url,
    child,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGCONT');
        child.kill('SIGKILL');
      }
      await exited;
    },
  };
}
