import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { freePort } from '../platform/free-port';
import { type RunningProcess, startProcess } from './child-process';
import { type BackoffPolicy, supervise, tcpPortFree } from './supervised-process';

export type DynamoDbLocal = RunningProcess & { readonly endpoint: string };

export class JavaMissingError extends Error {
  constructor() {
    super(
      'Java was not found. DynamoDB Local (the embedded store) runs on Java 17 or newer.\n' +
        '  Debian/Ubuntu: sudo apt-get install -y default-jre-headless\n' +
        '  Or point Tandem at a DynamoDB you already run: TANDEM_DYNAMODB_ENDPOINT=http://host:8000',
    );
    this.name = 'JavaMissingError';
  }
}

/** Where the npm package `amplify-dynamodb-simulator` keeps the official DynamoDB Local jar. */
function emulatorDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('amplify-dynamodb-simulator/package.json')), 'emulator');
}

function assertJava(): void {
  try {
    execFileSync('java', ['-version'], { stdio: 'ignore', timeout: 10_000 });
  } catch {
    throw new JavaMissingError();
  }
}

/**
 * Runs the official DynamoDB Local on this machine's Java.
 * With `dataDir` the tables live on disk there; without, in memory (tests).
 *
 * @example
 * const db = await startDynamoDbLocal({ dataDir: './.tandem/dynamodb' });
 * // ... use db.endpoint ...
 * await db.stop();
 */
export async function startDynamoDbLocal(
  options: { dataDir?: string; port?: number } = {},
): Promise<DynamoDbLocal> {
  const launcher = await prepare(options);
  const running = await launcher.launch();
  return { ...running, endpoint: launcher.endpoint };
}

/**
 * DynamoDB Local for `npm start`: restarted when it dies (local/supervised-process.ts), on the
 * same port, which the API's client keeps using, and on the same data directory, so the tables
 * are all there again. A port taken meanwhile by another process is reported and waited for.
 *
 * @example
 * const db = await superviseDynamoDbLocal({ dataDir: './.tandem/dynamodb', log: console.error });
 */
export async function superviseDynamoDbLocal(options: {
  dataDir: string;
  port?: number;
  log: (line: string) => void;
  policy?: BackoffPolicy;
}): Promise<DynamoDbLocal & { readonly restarts: number }> {
  const launcher = await prepare(options);
  const supervised = await supervise({
    name: 'dynamodb local',
    // Below the relay and the API in the CPU's queue, and with a JVM that spends less CPU on itself
    // (one GC thread, the quick JIT only: 36 % of a core instead of 45-49 % for 1,000 records/s): on
    // a developer's machine it stands in for a remote service and must not take the relay's core
    // (records wait in the relay's spool meanwhile).
    start: (signal) =>
      launcher.launch({
        signal,
        ownProcessGroup: true,
        nice: 19,
        jvm: ['-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1'],
      }),
    blocked: async () =>
      (await tcpPortFree(launcher.port)) ? undefined : `port ${launcher.port} is taken by another process`,
    describe: () => `port ${launcher.port}`,
    log: options.log,
    ...(options.policy && { policy: options.policy }),
  });
  return {
    endpoint: launcher.endpoint,
    get pid() {
      return supervised.pid;
    },
    get restarts() {
      return supervised.restarts;
    },
    stop: () => supervised.stop(),
  };
}

/** Checks Java and fixes the port and storage once; `launch` then starts the JVM, as often as needed. */
async function prepare(options: { dataDir?: string; port?: number }) {
  assertJava();
  const port = options.port ?? (await freePort());
  const dir = emulatorDir();
  const storage = options.dataDir
    ? (() => {
        const path = resolve(options.dataDir);
        mkdirSync(path, { recursive: true });
        return ['-sharedDb', '-dbPath', path];
      })()
    : ['-inMemory'];
  const args = [
    '-Xmx512m',
    `-Djava.library.path=${join(dir, 'DynamoDBLocal_lib')}`,
    '-jar',
    join(dir, 'DynamoDBLocal.jar'),
    '-port',
    String(port),
    // It would otherwise report usage to AWS from every developer's and CI's machine.
    '-disableTelemetry',
    ...storage,
  ];
  return {
    port,
    endpoint: `http://127.0.0.1:${port}`,
    launch: ({
      nice,
      jvm = [],
      ...extra
    }: {
      signal?: AbortSignal;
      ownProcessGroup?: boolean;
      nice?: number;
      jvm?: string[];
    } = {}) => {
      const java = ['java', ...jvm, ...args];
      // nice(1) execs java, so every JVM thread (not only the first) runs at that niceness.
      const [command, ...argv] = nice === undefined ? java : ['nice', '-n', String(nice), ...java];
      return startProcess(command!, argv, { cwd: dir, readyPort: port, name: 'DynamoDB Local', ...extra });
    },
  };
}
