/**
 * `npm start`: the whole local stack in one process tree. The only file here
 * with start-up side effects; the work is done by startLocalStack().
 */
import { join } from 'node:path';
import { loadSettings, SettingsError } from '../settings/settings';
import { JavaMissingError } from './dynamodb-local';
import { loadOrCreateLocalSecrets } from './local-secrets';
import { startLocalStack } from './local-stack';

function fail(message: string): never {
  process.stderr.write(`tandem: ${message}\n`);
  process.exit(1);
}

async function main() {
  let settings: ReturnType<typeof loadSettings>;
  try {
    settings = loadSettings(process.env);
  } catch (error) {
    if (error instanceof SettingsError) fail(error.message);
    throw error;
  }
  const { secrets, created } = loadOrCreateLocalSecrets(settings.dataDir);
  const adminKey = settings.adminKey ?? secrets.admin_key;

  const stack = await startLocalStack({
    apiPort: settings.apiPort,
    apiHost: '0.0.0.0',
    dynamodb: settings.dynamodbEndpoint
      ? { endpoint: settings.dynamodbEndpoint }
      : { dataDir: join(settings.dataDir, 'dynamodb') },
    tableName: settings.tableName,
    region: settings.region,
    adminKey,
    relayToken: secrets.relay_token,
    nonceSecret: secrets.nonce_secret,
  }).catch((error: unknown) => {
    if (error instanceof JavaMissingError) fail(error.message);
    fail(`could not start: ${(error as Error).message}`);
  });

  const apiUrl = stack.apiUrl.replace('0.0.0.0', '127.0.0.1');
  const lines = [
    'Tandem is running.',
    `  API        ${apiUrl}/v1   (docs: ${apiUrl}/docs)`,
    `  DynamoDB   ${stack.dynamodbEndpoint}   (table ${settings.tableName}, data in ${settings.dataDir})`,
  ];
  if (!settings.adminKey) {
    lines.push(
      created
        ? `  Admin key  ${adminKey}   (generated now and kept in ${join(settings.dataDir, 'secrets.json')}; shown once)`
        : `  Admin key  kept in ${join(settings.dataDir, 'secrets.json')}`,
    );
  }
  lines.push('Press Ctrl-C to stop.');
  process.stdout.write(`${lines.join('\n')}\n`);

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) process.exit(1); // a second Ctrl-C: do not wait
    stopping = true;
    process.stdout.write(`\n${signal}: stopping...\n`);
    stack.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

void main();
