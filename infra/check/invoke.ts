import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const harness = join(dirname(fileURLToPath(import.meta.url)), 'invoke-handler.mjs');

export type LambdaResponse = {
  statusCode: number;
  headers?: Record<string, string>;
  body?: string;
  isBase64Encoded?: boolean;
};
export type Invocation = {
  initMs: number;
  initCpuMs: number;
  results: { ms: number; response: LambdaResponse }[];
};

/**
 * Loads a Lambda bundle in a fresh Node process (cwd = its directory, as
 * /var/task) with exactly `env`, and calls its handler once per event in order.
 *
 * @example
 * const { initMs, results } = await invokeBundle('dist/lambdas/api/lambda.mjs', [event], env);
 */
export function invokeBundle(
  bundle: string,
  events: unknown[],
  env: Record<string, string>,
): Promise<Invocation> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [harness, bundle], { cwd: dirname(bundle), env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 25_000);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      const last = stdout.trim().split('\n').at(-1) ?? '';
      if (code !== 0 || !last.startsWith('{"initMs"')) {
        reject(
          new Error(
            `bundle ${bundle} exited ${code}\nstdout: ${stdout.slice(-2000)}\nstderr: ${stderr.slice(-3000)}`,
          ),
        );
        return;
      }
      resolve(JSON.parse(last) as Invocation);
    });
    child.stdin.end(JSON.stringify(events));
  });
}
