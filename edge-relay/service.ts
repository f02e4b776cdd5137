import { readFileSync } from 'node:fs';
import { Registry } from 'prom-client';
import { tuneHeapForCalls } from '../platform/heap-tuning';
import type { Admission } from './admission/admission';
import { createAdmission } from './admission/create-admission';
import { cdrHealthDetail, cdrUnhealthy } from './cdr/cdr-health';
import { cdrSinkSettings } from './cdr/cdr-settings';
import { createCdrSink } from './cdr/cdr-sink';
import { type RelayConfigInput, relayConfig } from './config';
import { apiBaseOf } from './decision/api-base';
import { createDecisionClient, type DecisionClient } from './decision/decision-client';
import { UNREACHABLE_AFTER_MS, watchDecision } from './decision/decision-health';
import { createDialogStore } from './dialog/create-dialog-store';
import type { DialogStore } from './dialog/dialog';
import type { RelayEvents } from './events';
import { createSourceGuard, isScannerAgent } from './guard/source-guard';
import { type ProviderHealth, startProviderHealth } from './health/provider-health';
import { createLogger, type Logger } from './log';
import type { MediaAnchor } from './media/media-anchor';
import { noMediaAnchor } from './media/no-media-anchor';
import { type HttpEndpoint, startHttpEndpoint } from './metrics/http-endpoint';
import { createRelayMetrics } from './metrics/relay-metrics';
import type { CallRecorder } from './runtime/call-record';
import { createCallRunner } from './runtime/call-runner';
import { createRelayContext, type RelayContext } from './runtime/context';
import { startDialogExpiry } from './runtime/dialog-expiry';
import { createInDialogRunner } from './runtime/in-dialog-runner';
import { liveCalls } from './runtime/live-calls';
import { createLoadMonitor } from './runtime/load-monitor';
import { createReceiver } from './runtime/receive';
import { createRefusalLog } from './runtime/refusal-log';
import { warmUpCallPath, warmUpDecision } from './runtime/warm-up';
import { intake as defaultIntake } from './sip/intake';
import type { IntakeResult } from './sip/intake-outcome';
import { header } from './sip/message';
import type { LocalAddress } from './sip/route';
import { type Remote, startTransport } from './transport/sip-transport';

/**
 * The decides a starting relay sends before its ports open (runtime/warm-up.ts): enough for V8 to
 * compile the decide client and to open a few keep-alive connections; a decision that is down
 * delays the start by the deadline at most.
 */
const WARM_UP_DECIDES = { probes: 64, concurrency: 4, deadlineMs: 2_000 };

export type Relay = {
  /** Host the relay writes in Via / Record-Route. */
  readonly address: string;
  readonly ports: { udp: number; tcp: number; tls?: number };
  /** Port of GET /healthz and /metrics, when `config.http` asked for them. */
  readonly httpPort?: number;
  /** Attempt outcomes, call outcomes and call ends (metrics and the flood guard read them). */
  readonly events: RelayEvents;
  /**
   * Stops taking calls and carries the ones it has: /healthz answers 503 and new INVITEs get 503 +
   * Retry-After at once, while in-dialog requests and ringing calls go on. Resolves once no INVITE
   * is in progress and no answered call is held (`ended: 'calls'`), when `config.drainS` has passed
   * (`'deadline'`) or when `endDrain()` was called (`'ended'`), with the calls left behind. Calling
   * it again returns the same drain.
   */
  drain(): Promise<DrainOutcome>;
  /** Ends a drain at once (an operator's second SIGTERM); the relay still refuses new INVITEs. */
  endDrain(): void;
  stop(): Promise<void>;
};

export type DrainOutcome = {
  ended: 'calls' | 'deadline' | 'ended';
  /** Answered calls still held when the drain ended: their dialogs stay in Redis or the journal. */
  callsLeft: number;
  /** INVITEs still without a final answer when the drain ended. */
  invitesLeft: number;
};

/** Adapters a caller may replace; each defaults to the real one. */
export type RelayDeps = {
  intake?: (raw: string, remote: Remote) => IntakeResult;
  decision?: DecisionClient;
  dialogs?: DialogStore;
  media?: MediaAnchor;
  /** Where finished call records go; default: the durable spool and its shipper (cdr/cdr-sink.ts). */
  records?: CallRecorder;
  /** Call admission; default: the site's Redis when `dialogs.redisUrl` is set, else this process. */
  admission?: Admission;
  logger?: Logger;
  now?: () => number;
};

/**
 * Starts the edge relay: sockets, transactions and the proxy core, asking
 * `config.decideUrl` what to do with each new INVITE.
 *
 * @example
 * const relay = await startRelay({ port: 5060, decideUrl: 'http://127.0.0.1:8080/v1/routing/decide', relayToken });
 * relay.events.on('attempt', (a) => console.log(a.target_id, a.code));
 * await relay.drain(); // calls carried to their end (at most config.drainS)
 * await relay.stop();
 */
export async function startRelay(input: RelayConfigInput, deps: RelayDeps = {}): Promise<Relay> {
  const config = relayConfig.parse(input);
  tuneHeapForCalls();
  const log = deps.logger ?? createLogger(config.logLevel);
  const intake = deps.intake ?? ((raw: string, remote: Remote) => defaultIntake(raw, remote));
  let draining = false;
  let receive: (raw: string, remote: Remote) => void = () => {};

  const ownDecision = deps.decision
    ? undefined
    : createDecisionClient({
        url: config.decideUrl,
        token: config.relayToken,
        timeoutMs: config.decideTimeoutMs,
        ...(config.decideCaFile ? { ca: readFileSync(config.decideCaFile, 'utf8') } : {}),
      });
  // Every decide's outcome (and an idle relay's own probes) says whether the decision answers:
  // /healthz answers 503 while it has not for UNREACHABLE_AFTER_MS. Only the relay's own client:
  // a decision a caller passes in (tests, benchmarks) gets no probe.
  const decisionHealth = ownDecision
    ? watchDecision(ownDecision, {
        relayId: config.relayId,
        now: deps.now ?? Date.now,
        onChange: (unreachable, error) =>
          unreachable
            ? log.warn('decision unreachable', { after_s: UNREACHABLE_AFTER_MS / 1000, error })
            : log.info('decision reachable again'),
      })
    : undefined;
  // Warm before the ports open: the first calls after a start then run compiled code on open
  // connections (runtime/warm-up.ts), and nothing that arrives meanwhile waits in a socket buffer.
  const warming = performance.now();
  // A warm-up that fails costs the first calls their speed, never the start.
  await warmUpCallPath(config.warmUpCalls).catch((error: unknown) =>
    log.warn('warm-up failed: first calls run cold', { error: String(error) }),
  );
  if (decisionHealth && config.warmUpCalls > 0) {
    const answered = await warmUpDecision(decisionHealth.client, config.relayId, WARM_UP_DECIDES);
    log.info('warmed up', {
      calls: config.warmUpCalls,
      decides: answered,
      ms: Math.round(performance.now() - warming),
    });
  }

  const load = createLoadMonitor({
    thresholdMs: config.overloadLagMs,
    onChange: (overloaded, lagMs) =>
      overloaded
        ? log.warn('overloaded: new calls get 503', { lag_ms: lagMs })
        : log.info('load back to normal: calls carried again', { lag_ms: lagMs }),
  });
  const transport = await startTransport({
    address: config.address,
    udpPort: config.port,
    tcpPort: config.port,
    tls: config.tls,
    maxConnections: config.connections.max,
    firstMessageMs: config.connections.firstMessageS * 1000,
    onMessage: (raw, remote) => {
      if (remote.transport === 'udp') load.received();
      try {
        receive(raw, remote);
      } catch (error) {
        log.error('message handling failed', {
          error: String(error),
          remote: `${remote.address}:${remote.port}`,
        });
      }
    },
    onError: (what, error) => log.debug('transport error', { what, error: String(error) }),
    // The attempt fails like a connect error (failover goes on); the reason never holds a secret.
    onTlsRefused: (r) =>
      log.warn('tls peer not verified', {
        peer: `${r.address}:${r.port}`,
        ...(r.servername ? { servername: r.servername } : {}),
        reason: r.reason,
      }),
  }).catch((error: unknown) => {
    load.stop();
    decisionHealth?.stop();
    ownDecision?.close();
    throw error;
  });
  const wildcard = config.address === '0.0.0.0' || config.address === '::';
  const publicHost = config.publicAddress ?? (wildcard ? '127.0.0.1' : config.address);
  const local: LocalAddress = {
    host: publicHost,
    ports: transport.ports,
    aliases: [config.address, '127.0.0.1', 'localhost'].filter(
      (a) => a !== publicHost && a !== '0.0.0.0' && a !== '::',
    ),
  };
  // Opened before the first call: without Redis it replays the dialogs a previous run journaled.
  const ownDialogs = deps.dialogs
    ? undefined
    : await createDialogStore(config.dialogs, config.dataDir, log).catch(async (error: unknown) => {
        load.stop();
        decisionHealth?.stop();
        ownDecision?.close();
        await transport.close();
        throw error;
      });
  // Opened before the first call: it seals and replays what a previous run left in the spool.
  const ownRecords = deps.records
    ? undefined
    : await createCdrSink(cdrSinkSettings(config), { log }).catch(async (error: unknown) => {
        load.stop();
        decisionHealth?.stop();
        ownDecision?.close();
        await ownDialogs?.close?.();
        await transport.close();
        throw error;
      });
  const ownAdmission = deps.admission ? undefined : createAdmission(config, log);
  // Probes go through the relay's own transactions (ctx, below): their answers arrive like any.
  let sendRequest: (...args: Parameters<RelayContext['transactions']['request']>) => void = () => {};
  const health: ProviderHealth = startProviderHealth({
    apiBase: config.apiUrl ?? apiBaseOf(config.decideUrl),
    token: config.relayToken,
    relayId: config.relayId,
    siteId: config.siteId,
    ...(config.dialogs.redisUrl
      ? {
          redis: {
            url: config.dialogs.redisUrl,
            keyPrefix: config.dialogs.keyPrefix,
            commandTimeoutMs: config.dialogs.redisTimeoutMs,
          },
        }
      : {}),
    sendRequest: (request, to, onResponse) => sendRequest(request, to, onResponse),
    local,
    log,
    ...(deps.now ? { now: deps.now } : {}),
  });
  const ctx = createRelayContext({
    config,
    local,
    transport,
    decision: deps.decision ?? decisionHealth!.client,
    dialogs: deps.dialogs ?? ownDialogs!,
    media: deps.media ?? noMediaAnchor,
    records: deps.records ?? ownRecords!,
    admission: deps.admission ?? ownAdmission!,
    downProviders: () => health.downProviders(),
    observeAttempt: (outcome, passiveDownAfter) => health.observe(outcome, passiveDownAfter),
    log,
    now: deps.now ?? Date.now,
    // A call that could not be recorded is not taken: at the spool's cap, 503 until it drains.
    refuseCalls: () =>
      draining
        ? 'draining'
        : ownRecords?.refusesCalls()
          ? 'cdr_spool_full'
          : load.shed()
            ? 'overload'
            : false,
  });
  sendRequest = (request, to, onResponse) => ctx.transactions.request(request, to, onResponse);
  const expiry = startDialogExpiry(ctx);
  const calls = ctx.calls;
  const metrics = config.http ? createRelayMetrics(ctx.events) : undefined;
  if (metrics && ownRecords) metrics.watchCdr(() => ownRecords.health());
  const refusals = createRefusalLog(log, {
    perSource: config.refusalLog.perSource,
    windowMs: config.refusalLog.windowS * 1000,
    ...(metrics ? { count: metrics.rejected } : {}),
  });
  const sweep = setInterval(() => refusals.sweep(ctx.now()), config.refusalLog.windowS * 1000);
  sweep.unref();
  const guard = createSourceGuard({
    maxRejects: config.flood.maxRejects,
    windowMs: config.flood.windowS * 1000,
    banMs: config.flood.banS * 1000,
  });
  ctx.events.on('call', (c) => {
    if (c.refused !== undefined) refusals.refused(c.source, c.status, c.refused, c.call_id, ctx.now());
    // Only the decision's own refusals (no attempt made): a provider answering 403 to every
    // call must not get our customers banned.
    if (c.status === 403 && c.attempts.length === 0 && guard.rejected(c.source.address, ctx.now()))
      log.warn('source banned', {
        address: c.source.address,
        rejects: config.flood.maxRejects,
        window_s: config.flood.windowS,
        ban_s: config.flood.banS,
      });
  });
  const screened = (raw: string, remote: Remote): IntakeResult => {
    let result: IntakeResult;
    if (guard.banned(remote.address, ctx.now())) {
      result = BANNED;
      // Not parsed (the ban spares the work): an INVITE is told by its first bytes.
      if (raw.startsWith('INVITE ')) refusals.refused(remote, null, 'flood', { raw }, ctx.now());
    } else {
      const received = intake(raw, remote);
      result = screenScanner(received, config.flood.dropScanners);
      if (result !== received || received.kind === 'reply') refusedAtIntake(received, result, raw, remote);
    }
    metrics?.received(result);
    return result;
  };
  /** An INVITE that intake answered (malformed: 400, 420, 505...) or a scanner's, dropped. */
  const refusedAtIntake = (received: IntakeResult, result: IntakeResult, raw: string, remote: Remote) => {
    if (received.kind === 'reply') {
      if (raw.startsWith('INVITE '))
        refusals.refused(remote, Number(received.raw.slice(8, 11)), 'invalid_request', { raw }, ctx.now());
    } else if (received.kind === 'message' && received.message.type === 'request') {
      const request = received.message;
      if (request.method === 'INVITE' && result.kind === 'drop')
        refusals.refused(remote, null, 'scanner', header(request, 'call-id') ?? '', ctx.now());
    }
  };
  receive = createReceiver(ctx, screened, createCallRunner(ctx), createInDialogRunner(ctx)).receive;
  let http: HttpEndpoint | undefined;
  const release = async () => {
    for (const call of calls.values()) for (const t of call.timers.values()) clearTimeout(t);
    calls.clear();
    ctx.callsById.clear();
    ctx.transactions.close();
    decisionHealth?.stop();
    ownDecision?.close();
    expiry.stop();
    await ownRecords?.close();
    await ownDialogs?.close?.();
    await ownAdmission?.close();
    await health.stop();
    await http?.close();
    metrics?.close();
    clearInterval(sweep);
    load.stop();
    await transport.close();
  };
  /** Why /healthz answers 503 besides draining: every reason that holds, or false. */
  const unhealthy = (): string | false => {
    const reasons = [
      decisionHealth?.unreachable() ? 'decision unreachable' : false,
      ownRecords ? cdrUnhealthy(ownRecords.health()) : false,
    ].filter((r): r is string => r !== false);
    return reasons.length > 0 ? reasons.join(', ') : false;
  };
  if (metrics && config.http) {
    // One exposition: the relay's families, then provider health's (both registries made once).
    const exposition = Registry.merge([metrics.registry, health.metricsRegistry]);
    http = await startHttpEndpoint({
      ...config.http,
      draining: () => draining,
      unhealthy,
      ...(ownRecords ? { detail: () => cdrHealthDetail(ownRecords.health()) } : {}),
      calls: { token: config.relayToken, list: () => liveCalls(ctx) },
      metrics: async () => {
        metrics.setGauges({
          callsInProgress: calls.size,
          dialogs: await ctx.dialogs.size(),
          oldestDialogAgeS: Math.floor(ctx.held.oldestAgeMs(ctx.now()) / 1000),
          bannedSources: guard.bannedCount(ctx.now()),
          overloaded: load.overloaded(),
          draining,
          decisionUnreachable: decisionHealth?.unreachable() ?? false,
        });
        return exposition.metrics();
      },
    }).catch(async (error: unknown) => {
      await release(); // the HTTP port is taken: nothing of this relay may stay open
      throw error;
    });
  }
  let drainRun: Promise<DrainOutcome> | undefined;
  let drainEnded = false;
  let wake = () => {};
  /** Waits `ms`, or less when the drain is ended meanwhile. */
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  /**
   * The drain: INVITEs in progress (`calls`: ringing ones may still be answered) and the answered
   * calls this relay holds (own and adopted: ctx.held), polled until none is left. Not the dialog
   * store's size: with Redis it keeps a copy of a call another relay ended until its lifetime.
   */
  const runDrain = async (): Promise<DrainOutcome> => {
    const started = Date.now();
    const deadline = started + config.drainS * 1000;
    log.info('draining', {
      calls: ctx.held.count(ctx.now()),
      invites: calls.size,
      drain_s: config.drainS,
    });
    for (;;) {
      const left = { callsLeft: ctx.held.count(ctx.now()), invitesLeft: calls.size };
      if (left.callsLeft === 0 && left.invitesLeft === 0) {
        log.info('drained: every call ended', { after_s: Math.round((Date.now() - started) / 1000) });
        return { ended: 'calls', ...left };
      }
      const remaining = deadline - Date.now();
      if (drainEnded || remaining <= 0) {
        const where = config.dialogs.redisUrl
          ? "kept in the site's redis: another relay of the site routes their in-dialog requests"
          : ownDialogs
            ? 'kept in the dialog journal: this relay, started again on its address, routes their in-dialog requests'
            : 'kept in the dialog store the relay was given';
        log.warn(`drain ${drainEnded ? 'ended' : 'deadline'}: ${left.callsLeft} calls left`, {
          calls: left.callsLeft,
          invites: left.invitesLeft,
          dialogs: where,
        });
        return { ended: drainEnded ? 'ended' : 'deadline', ...left };
      }
      await pause(Math.min(DRAIN_POLL_MS, remaining));
    }
  };
  log.info('relay started', {
    address: config.address,
    public: publicHost,
    ...transport.ports,
    ...(http ? { http: http.port } : {}),
  });

  return {
    address: publicHost,
    ports: transport.ports,
    ...(http ? { httpPort: http.port } : {}),
    events: ctx.events,
    drain() {
      draining = true;
      drainRun ??= runDrain();
      return drainRun;
    },
    endDrain() {
      draining = true;
      drainEnded = true;
      wake();
    },
    stop: release,
  };
}

const BANNED: IntakeResult = { kind: 'drop', reason: 'banned source' };
/** How often a drain looks whether the relay's calls have ended. */
const DRAIN_POLL_MS = 100;

/** Requests of SIP scanners are dropped unanswered (an answer confirms a SIP server is here). */
function screenScanner(result: IntakeResult, dropScanners: boolean): IntakeResult {
  if (!dropScanners || result.kind !== 'message' || result.message.type !== 'request') return result;
  return isScannerAgent(header(result.message, 'user-agent'))
    ? { kind: 'drop', reason: 'scanner user agent' }
    : result;
}
