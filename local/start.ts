/**
 * `npm start`: the whole local stack in one process tree — DynamoDB Local, the
 * API with the decision, rtpengine when installed, and the SIP relay (on a thread of its own:
 * local/relay-thread.ts). The only
 * file here with start-up side effects; the work is done by the services.
 * DynamoDB Local and rtpengine are supervised: restarted when they die, and said so on stderr.
 */
import { join } from 'node:path';
import { loadMediaSettings } from '../edge-relay/settings/media-settings';
import { loadRelaySettings } from '../edge-relay/settings/relay-settings';
import { loadSettings, SettingsError } from '../functions/settings/settings';
import { JavaMissingError } from './dynamodb-local';
import { startLocalMedia } from './local-media';
import { loadOrCreateLocalSecrets } from './local-secrets';
import { startLocalStack } from './local-stack';
import { startRelayThread } from './relay-thread';

/** How long npm start's stop lets calls end before it leaves the rest to the dialog journal. */
const LOCAL_DRAIN_MS = 2_000;

/**
 * Records per `POST /v1/cdrs` from npm start's relay (TANDEM_CDR_BATCH overrides): the API reads a
 * batch in one go on the thread that also decides, so a batch of 500 held decides for tens of ms.
 */
const LOCAL_CDR_BATCH = 50;

/** How long Ctrl-C waits for the services to stop before ending the process anyway. */
const STOP_DEADLINE_MS = 5000;
/** A signal this soon after the first is the same Ctrl-C passed on by a wrapper, not a second press. */
const DUPLICATE_SIGNAL_MS = 1000;

/** A line on stderr, at once: a supervised child died, could not restart yet, or is back. */
function report(message: string): void {
  process.stderr.write(
    `${message
      .split('\n')
      .map((line) => `tandem: ${line}`)
      .join('\n')}\n`,
  );
}

function fail(message: string): never {
  process.stderr.write(`tandem: ${message}\n`);
  process.exit(1);
}

/** Validates every setting before anything starts, so a typo never leaves half a stack running. */
function readSettings() {
  try {
    return { api: loadSettings(process.env), media: loadMediaSettings(process.env) };
  } catch (error) {
    if (error instanceof SettingsError) fail(error.message);
    throw error;
  }
}

async function main() {
  const settings = readSettings();
  const { secrets, created } = loadOrCreateLocalSecrets(settings.api.dataDir);
  const adminKey = settings.api.adminKey ?? secrets.admin_key;
  const relayToken = settings.api.relayToken ?? secrets.relay_token;
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => {});
  };
  const failAfterCleanup = async (message: string): Promise<never> => {
    await stopAll();
    fail(message);
  };

  const stack = await startLocalStack({
    apiPort: settings.api.apiPort,
    apiHost: settings.api.apiAddress,
    sourceLimits: settings.api.sourceLimits,
    cdrRetentionDays: settings.api.cdrRetentionDays,
    auditRetentionDays: settings.api.auditRetentionDays,
    alertWebhook: settings.api.alertWebhook,
    apiTokenInQuery: settings.api.apiTokenInQuery,
    log: report,
    dynamodb: settings.api.dynamodbEndpoint
      ? { endpoint: settings.api.dynamodbEndpoint }
      : { dataDir: join(settings.api.dataDir, 'dynamodb') },
    tableName: settings.api.tableName,
    region: settings.api.region,
    adminKey,
    relayToken,
    nonceSecret: settings.api.nonceSecret ?? secrets.nonce_secret,
    upstash:
      settings.api.upstashUrl && settings.api.upstashToken
        ? { url: settings.api.upstashUrl, token: settings.api.upstashToken }
        : undefined,
  }).catch((error: unknown) => {
    if (error instanceof JavaMissingError) fail(error.message);
    return fail(`could not start: ${(error as Error).message}`);
  });
  stops.push(() => stack.stop());
  // The relay and the printed links use loopback even when the API listens on every interface.
  const apiUrl = stack.apiUrl.replace('0.0.0.0', '127.0.0.1').replace('[::]', '[::1]');

  const notes: string[] = [];
  let mediaSettings = settings.media;
  if (mediaSettings.rtpengines.length === 0) {
    const local = await startLocalMedia({ log: (line) => notes.push(line), supervisorLog: report }).catch(
      (error: unknown) => failAfterCleanup(`could not start rtpengine: ${(error as Error).message}`),
    );
    stops.push(() => local.stop());
    if (local.rtpengine)
      mediaSettings = loadMediaSettings({ ...process.env, TANDEM_RTPENGINE: local.rtpengine });
  }

  let relaySettings: ReturnType<typeof loadRelaySettings>;
  try {
    relaySettings = loadRelaySettings(process.env, { decideUrl: `${apiUrl}/v1/routing/decide`, relayToken });
    if (process.env['TANDEM_CDR_BATCH'] === undefined)
      relaySettings = { ...relaySettings, cdr: { ...relaySettings.cdr, batchSize: LOCAL_CDR_BATCH } };
  } catch (error) {
    return failAfterCleanup((error as Error).message);
  }
  const relay = await startRelayThread(relaySettings, mediaSettings, {
    onCrash: (message) => void failAfterCleanup(`the SIP relay stopped: ${message}`),
  }).catch((error: unknown) =>
    failAfterCleanup(`could not start the SIP relay: ${(error as Error).message}`),
  );
  // A developer's Ctrl-C is answered within seconds, not the deployed drain (TANDEM_DRAIN_S): calls
  // still up stay in the dialog journal and go on when npm start runs again.
  stops.push(() => relay.stop(LOCAL_DRAIN_MS));

  const lines = [
    'Tandem is running.',
    `  API        ${apiUrl}/v1   (docs: ${apiUrl}/docs)`,
    `  Decision   ${apiUrl}/v1/routing/decide`,
    `  SIP relay  ${relay.address} udp:${relay.ports.udp} tcp:${relay.ports.tcp}${relay.ports.tls ? ` tls:${relay.ports.tls}` : ''}`,
    `  DynamoDB   ${stack.dynamodbEndpoint}   (table ${settings.api.tableName}, data in ${settings.api.dataDir})`,
    ...notes.map((note) => `  Media      ${note}`),
  ];
  if (!settings.api.adminKey) {
    lines.push(
      created
        ? `  Admin key  ${adminKey}   (generated now and kept in ${join(settings.api.dataDir, 'secrets.json')}; shown once)`
        : `  Admin key  kept in ${join(settings.api.dataDir, 'secrets.json')}`,
    );
  }
  lines.push('Press Ctrl-C to stop.');
  process.stdout.write(`${lines.join('\n')}\n`);

  let stoppingSince: number | undefined;
  const shutdown = (signal: string) => {
    if (stoppingSince !== undefined) {
      // One Ctrl-C can arrive twice: from the terminal and again from the npm process above us,
      // which forward it. Only a second press, later, means: do not wait.
      if (performance.now() - stoppingSince < DUPLICATE_SIGNAL_MS) return;
      process.exit(1);
    }
    stoppingSince = performance.now();
    process.stdout.write(`\n${signal}: stopping...\n`);
    // Whatever hangs (a held connection, a child that ignores SIGTERM), the stack ends in a few
    // seconds: children started here are killed when this process exits (child-process.ts).
    setTimeout(() => {
      process.stderr.write(`tandem: not stopped after ${STOP_DEADLINE_MS / 1000} s; ending now\n`);
      process.exit(1);
    }, STOP_DEADLINE_MS).unref();
    stopAll().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  // DynamoDB Local and rtpengine run in process groups of their own (so a Ctrl-C is never taken
  // for a crash), which also keeps a closed terminal's hangup from reaching them: it stops us, and we them.
  process.on('SIGHUP', () => shutdown('SIGHUP'));
}

void main();
