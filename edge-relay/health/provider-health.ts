import type { Registry } from 'prom-client';
import type { HealthTarget } from '../../contract/health';
import type { AttemptOutcome } from '../events';
import type { Logger } from '../log';
import type { LocalAddress } from '../sip/route';
import { createHealthMetrics } from './health-metrics';
import {
  ATTEMPT_WINDOW_BUCKETS,
  type AttemptCounts,
  afterPassiveMark,
  afterProbe,
  attemptBucket,
  attemptSucceeded,
  initialState,
  isAlive,
  type ProviderState,
  passiveVerdict,
  transition,
} from './health-rules';
import { addCounts, type HealthStore } from './health-store';
import { createHealthTargetsClient } from './health-targets-client';
import { createMemoryHealthStore } from './memory-health-store';
import { probeTarget, type SendRequest } from './options-probe';
import { createProbeSchedule } from './probe-schedule';
import { createRedisHealthStore } from './redis-health-store';
import { createStatusReporter, statusReport } from './status-reporter';

export type { SendRequest } from './options-probe';

export type ProviderHealthOptions = {
  /** The API, e.g. `http://127.0.0.1:8080`: targets from `/v1/routing/health-targets`, reports to `/v1/providers/status`. */
  apiBase: string;
  /** The relay token (`Authorization: Bearer`). */
  token: string;
  relayId: string;
  /** Names the site in the status reports (the relays sharing one Redis and key prefix). */
  siteId: string;
  /** The site's Redis; absent: this relay is a site of its own, everything in memory. */
  redis?: { url: string; keyPrefix: string; commandTimeoutMs: number };
  /** Sends the OPTIONS in a client transaction: `(r, to, cb) => transactions.request(r, to, cb)`. */
  sendRequest: SendRequest;
  /** The relay's address, for the Via and Contact of the OPTIONS. */
  local: LocalAddress;
  log: Logger;
  now?: () => number;
  fetch?: typeof fetch;
  timings?: { targetsRefreshMs?: number; stateReadMs?: number; leaderTtlMs?: number; reportMs?: number };
};

export type ProviderHealth = {
  /** The providers the site holds down (for `down_providers` of every decide): a cached array. */
  downProviders(): readonly string[];
  /**
   * Every attempt of a provider target, with the target's `passive_down_after` (undefined: the
   * health target's). Counted only for providers in the health targets.
   */
  observe(outcome: AttemptOutcome, passiveDownAfter: number | undefined): void;
  isLeader(): boolean;
  /** Its Prometheus families (`tandem_provider_*`, `tandem_health_leader`); /metrics merges them in. */
  readonly metricsRegistry: Registry;
  stop(): Promise<void>;
};

/** Defaults of `timings`. */
export const HEALTH_TIMINGS = {
  targetsRefreshMs: 30_000,
  stateReadMs: 1_000,
  leaderTtlMs: 10_000,
  reportMs: 10_000,
};

/** Until the first list of targets comes, the API is asked again this often (at most). */
const FIRST_TARGETS_RETRY_MS = 5_000;

/**
 * Provider health of a relay site (docs/admission.md), the rules in health-rules.ts.
 *
 * - Targets: every relay fetches `GET /v1/routing/health-targets` at start and every 30 s; a
 *   failed fetch keeps the last good list (one warning per streak of failures).
 * - Probing: exactly one relay of a site probes, the one holding the leader lease in Redis
 *   (`<prefix>health:leader`, its relay id and a random process tag, with a ttl of 10 s, extended every 3 s with a
 *   compare-and-extend script; another relay takes over once the ttl has run out when the leader
 *   dies, at once when it stops cleanly). Without Redis the relay leads. The leader sends an
 *   OPTIONS to each target every `interval_s` (probe-schedule.ts, options-probe.ts); no final
 *   within `timeout_ms` is a failed probe, a later answer is ignored.
 * - Passive: every relay tells each provider attempt to `observe`. A timeout (408 from the relay's
 *   own timers) or a 503 adds one to the site's streak of that provider (`<prefix>health:passive`);
 *   any other final except a cancelled attempt ends it. The relay whose failure completes a streak
 *   of `passive_down_after` holds the provider down at once and leaves a mark
 *   (`<prefix>health:marks`) for the site; coming back up takes `up_after` alive probes.
 * - State: the leader alone writes the site's states (`<prefix>health:state`, JSON per provider),
 *   with a script that checks it still holds the lease. It merges the marks every second and
 *   deletes each mark in the same script that writes its `down`, only if the mark was not set again
 *   meanwhile; readers count a marked provider down. So no write of the leader, however stale,
 *   hides a passive `down`. Every relay reads states and marks (one MULTI) every second into its
 *   down set; its own marks count until a read started after them.
 * - Redis unreachable: every relay keeps the last states it read, a leader keeps probing and
 *   writes what changed once Redis answers, passive streaks are counted by each relay alone. A
 *   follower holds a provider it marked then down until Redis is back (the probes that bring it up
 *   are the leader's), and writes the mark then. A relay that cannot reach Redis at start does not
 *   lead (another relay may). One warning when Redis goes, one line when it is back.
 * - Attempt statistics: attempts and succeeded attempts (see `attemptSucceeded`) of the targets,
 *   counted by every relay in 10 s buckets (`<prefix>health:attempts:<n>`, expiring), added up by
 *   the leader over the last 300 s for its reports.
 * - Reports: the leader POSTs a `providerStatusReport` to `/v1/providers/status` every 10 s; a
 *   failed report is not retried (one warning per streak).
 * - Logs: `provider down` / `provider up` at info on the leader, once per change of the site's
 *   state; nothing per probe above debug.
 *
 * @example
 * const health = startProviderHealth({ apiBase, token, relayId, siteId: 'par1', sendRequest: (r, to, cb) => transactions.request(r, to, cb), local, log });
 * decideRequest.down_providers = [...health.downProviders()];
 * events.on('attempt', (a) => health.observe(a, passiveDownAfterOf(a)));
 */
export function startProviderHealth(o: ProviderHealthOptions): ProviderHealth {
  const { log } = o;
  const now = o.now ?? Date.now;
  const timings = { ...HEALTH_TIMINGS, ...o.timings };
  const store: HealthStore = o.redis
    ? createRedisHealthStore({ ...o.redis, relayId: o.relayId, leaderTtlMs: timings.leaderTtlMs, log })
    : createMemoryHealthStore();
  const api = { apiBase: o.apiBase, token: o.token, log, ...(o.fetch ? { fetch: o.fetch } : {}) };
  const targetsClient = createHealthTargetsClient(api);
  const reporter = createStatusReporter(api);
  // Read at scrape time (the state below is declared after: the view runs only then).
  const metrics = createHealthMetrics(() => ({
    providers: [...targets.keys()],
    down: downSet,
    leader: leading,
  }));

  let targets = new Map<string, HealthTarget>();
  let targetsKnown = false;
  let leading = false;
  let stopped = false;
  /** The leader's states: what it writes; authoritative while it leads. */
  const states = new Map<string, ProviderState>();
  /** Leader: providers whose state changed since its last write, and those no longer probed. */
  const dirty = new Set<string>();
  const removed = new Set<string>();
  /** The site as last read. */
  let siteStates: ReadonlyMap<string, ProviderState> = new Map();
  let siteMarks: ReadonlyMap<string, string> = new Map();
  /**
   * Marks this relay set itself: down here at once, until a read started after the mark was written
   * shows the site's view (`seq`: reads started when it was written). Unwritten: set while the
   * store did not answer, written when it does.
   */
  const ownMarks = new Map<string, { written: boolean; seq: number }>();
  /** Passive streaks counted by this relay alone while the store did not answer. */
  const aloneFails = new Map<string, number>();
  let readsStarted = 0;
  /** Attempt counts not yet added to the store: bucket → provider → counts. */
  let pendingAttempts = new Map<number, Map<string, AttemptCounts>>();
  /** The last attempt counts read, reported again while the store does not answer. */
  let lastAttempts = new Map<string, AttemptCounts>();
  let down: readonly string[] = [];
  let downSet: ReadonlySet<string> = new Set();

  const refreshDown = () => {
    const next: string[] = [];
    for (const id of targets.keys()) {
      const state = leading ? states.get(id) : siteStates.get(id);
      if (state?.state === 'down' || siteMarks.has(id) || ownMarks.has(id)) next.push(id);
    }
    if (next.length === down.length && next.every((id, i) => down[i] === id)) return;
    down = next;
    downSet = new Set(next);
  };

  /** Leader: a provider's new state; logs and counts a change of up/down. */
  const apply = (id: string, before: ProviderState, after: ProviderState): boolean => {
    states.set(id, after);
    dirty.add(id);
    const change = transition(before, after);
    if (!change) return false;
    if (change.to === 'down') {
      metrics.markedDown(id, change.by);
      log.info('provider down', { provider: id, by: change.by, fails: after.fails });
    } else log.info('provider up', { provider: id, oks: after.oks });
    return true;
  };

  /** Leader: writes what changed, and deletes the marks it merged. */
  const commit = async (merged: ReadonlyMap<string, string> = new Map()): Promise<void> => {
    if (!leading || (dirty.size === 0 && removed.size === 0 && merged.size === 0)) return;
    const written = new Map<string, ProviderState>();
    for (const id of dirty) {
      const state = states.get(id);
      if (state) written.set(id, state);
    }
    const gone = [...removed];
    dirty.clear();
    removed.clear();
    const write = { states: written, removed: gone, merged };
    let held: boolean;
    try {
      held = await store.commit(write);
      // No lease at all (a Redis restarted empty) is taken again; another relay's is not.
      if (!held && leading && (await store.lead())) held = await store.commit(write);
    } catch {
      // Written again with the next commit once the store answers (the states as they are then).
      for (const id of written.keys()) dirty.add(id);
      for (const id of gone) if (!targets.has(id)) removed.add(id);
      return;
    }
    if (!held && leading) stepDown('lease lost');
  };

  /** Leader: one probe of a target and what it does to the provider's state. */
  const probeAndApply = async (target: HealthTarget): Promise<void> => {
    const id = target.provider_id;
    const code = await probeTarget(o.sendRequest, target, o.local);
    // Settings may have changed while it ran; a relay that no longer leads drops the result.
    const current = targets.get(id);
    if (!leading || stopped || !current) return;
    const alive = isAlive(code, current.alive_codes);
    metrics.probed(id, alive);
    log.debug('provider probed', { provider: id, code, alive });
    const before = states.get(id) ?? initialState(now());
    if (apply(id, before, afterProbe(before, { code, alive }, current, now()))) {
      refreshDown();
      void commit();
    }
  };

  const schedule = createProbeSchedule(
    (id) => (leading && !stopped ? targets.get(id) : undefined),
    probeAndApply,
  );

  const becomeLeader = async () => {
    let view = { states: siteStates, marks: siteMarks };
    try {
      view = await store.read();
    } catch {
      // The last read stands in: the lease was just taken, Redis answers again soon.
    }
    if (stopped) return;
    leading = true;
    states.clear();
    dirty.clear();
    removed.clear();
    // The site's states carry over (a down provider stays down through a change of leader).
    for (const [id, state] of view.states) {
      if (targets.has(id)) states.set(id, state);
      else if (targetsKnown) removed.add(id);
    }
    for (const target of targets.values()) {
      if (!states.has(target.provider_id)) {
        states.set(target.provider_id, initialState(now()));
        dirty.add(target.provider_id);
      }
      schedule.start(target);
    }
    log.info('provider health: this relay probes for its site', { relay_id: o.relayId, site: o.siteId });
    refreshDown();
    await commit();
  };

  const stepDown = (why: string) => {
    leading = false;
    schedule.stopAll();
    states.clear();
    dirty.clear();
    removed.clear();
    log.info('provider health: this relay no longer probes', { relay_id: o.relayId, why });
    refreshDown();
  };

  let leadershipBusy = false;
  const leadership = async () => {
    if (leadershipBusy || stopped) return;
    leadershipBusy = true;
    try {
      // The store not answering changes nothing: a leader keeps probing, a follower keeps waiting.
      const leads = await store.lead().catch(() => leading);
      if (stopped) return;
      if (leads && !leading) await becomeLeader();
      else if (!leads && leading) stepDown('another relay holds the lease');
    } finally {
      leadershipBusy = false;
    }
  };

  const setTargets = (list: readonly HealthTarget[]) => {
    const next = new Map(list.map((t) => [t.provider_id, t]));
    for (const id of targets.keys()) {
      if (next.has(id)) continue;
      schedule.stop(id);
      ownMarks.delete(id);
      aloneFails.delete(id);
      if (leading) {
        states.delete(id);
        dirty.delete(id);
        removed.add(id);
      }
    }
    const added = list.filter((t) => !targets.has(t.provider_id));
    targets = next;
    targetsKnown = true;
    if (leading) {
      for (const id of siteStates.keys()) if (!targets.has(id)) removed.add(id);
      for (const target of added) {
        states.set(target.provider_id, initialState(now()));
        dirty.add(target.provider_id);
        schedule.start(target);
      }
    }
    refreshDown();
  };

  let targetsTimer: NodeJS.Timeout | undefined;
  const stopping = new AbortController();
  const refreshTargets = async () => {
    const list = await targetsClient.fetch(stopping.signal);
    if (stopped) return;
    if (list) setTargets(list);
    const wait = targetsKnown
      ? timings.targetsRefreshMs
      : Math.min(FIRST_TARGETS_RETRY_MS, timings.targetsRefreshMs);
    targetsTimer = setTimeout(() => void refreshTargets(), wait);
    targetsTimer.unref();
  };

  const flushAttempts = async () => {
    if (pendingAttempts.size === 0) return;
    const flushing = pendingAttempts;
    pendingAttempts = new Map();
    for (const [bucket, counts] of flushing) {
      // Counts of a relay that cannot reach Redis are lost: the statistics are a rough picture.
      await store.addAttempts(bucket, counts).catch(() => {});
    }
  };

  const writeOwnMarks = async () => {
    for (const [id, mark] of ownMarks) {
      if (mark.written) continue;
      try {
        await store.mark(id);
      } catch {
        return;
      }
      if (ownMarks.get(id) === mark) ownMarks.set(id, { written: true, seq: readsStarted });
    }
  };

  let syncBusy = false;
  /** Every `stateReadMs`: counts out, the site's view in; the leader merges marks and writes. */
  const sync = async () => {
    if (syncBusy || stopped) return;
    syncBusy = true;
    try {
      await flushAttempts();
      await writeOwnMarks();
      const started = ++readsStarted;
      const view = await store.read();
      if (stopped) return;
      siteStates = view.states;
      siteMarks = view.marks;
      for (const [id, mark] of ownMarks) if (mark.written && mark.seq < started) ownMarks.delete(id);
      if (leading) {
        const merged = new Map<string, string>();
        for (const [id, token] of view.marks) {
          if (!targets.has(id)) continue;
          const before = states.get(id) ?? initialState(now());
          apply(id, before, afterPassiveMark(before, now()));
          merged.set(id, token);
        }
        refreshDown();
        await commit(merged);
      }
    } catch {
      // The store does not answer: the last view stands (the store logs the outage once).
    } finally {
      syncBusy = false;
      refreshDown();
    }
  };

  let reportBusy = false;
  const report = async () => {
    if (reportBusy || stopped || !leading || !targetsKnown) return;
    reportBusy = true;
    try {
      const bucket = attemptBucket(now());
      try {
        lastAttempts = await store.attempts(bucket - ATTEMPT_WINDOW_BUCKETS + 1, bucket);
      } catch {
        // The last counts read are reported again.
      }
      if (!leading || stopped) return;
      await reporter.send(
        statusReport(
          { site: o.siteId, relayId: o.relayId, now: now() },
          [...targets.values()],
          states,
          lastAttempts,
        ),
      );
    } finally {
      reportBusy = false;
    }
  };

  /**
   * A streak completed here: down on this relay at once. The leader changes its own state (written
   * with its next commit, Redis or not); a follower holds its mark until the site shows it.
   */
  const markedHere = (id: string, written: boolean) => {
    if (stopped || !targets.has(id)) return;
    if (leading) {
      const before = states.get(id) ?? initialState(now());
      if (apply(id, before, afterPassiveMark(before, now()))) void commit();
    } else {
      ownMarks.set(id, { written, seq: readsStarted });
      log.debug('provider marked down by attempts', { provider: id });
    }
    refreshDown();
  };

  const every = (ms: number, run: () => Promise<void>) => {
    const timer = setInterval(() => void run(), ms);
    timer.unref();
    return timer;
  };
  void leadership();
  void refreshTargets();
  const intervals = [
    every(Math.max(50, Math.floor(timings.leaderTtlMs * 0.3)), leadership),
    every(timings.stateReadMs, sync),
    every(timings.reportMs, report),
  ];

  return {
    downProviders: () => down,
    observe(outcome, passiveDownAfter) {
      if (stopped || outcome.target_kind !== 'provider') return;
      const id = outcome.target_id;
      const target = targets.get(id);
      if (!target) return;
      const succeeded = attemptSucceeded(outcome);
      if (succeeded !== undefined) {
        const bucket = attemptBucket(now());
        const counts = pendingAttempts.get(bucket) ?? new Map<string, AttemptCounts>();
        pendingAttempts.set(bucket, counts);
        addCounts(counts, id, { total: 1, succeeded: succeeded ? 1 : 0 });
      }
      const verdict = passiveVerdict(outcome);
      if (verdict === 'ignored') return;
      if (verdict === 'answered') {
        aloneFails.delete(id);
        store.attemptAnswered(id).catch(() => {});
        return;
      }
      const threshold = passiveDownAfter ?? target.passive_down_after;
      store.attemptFailed(id, threshold).then(
        (marked) => {
          aloneFails.delete(id);
          if (marked) markedHere(id, true);
        },
        () => {
          const fails = (aloneFails.get(id) ?? 0) + 1;
          if (fails < threshold) {
            aloneFails.set(id, fails);
            return;
          }
          aloneFails.delete(id);
          markedHere(id, false);
        },
      );
    },
    isLeader: () => leading,
    metricsRegistry: metrics.registry,
    async stop() {
      if (stopped) return;
      stopped = true;
      for (const timer of intervals) clearInterval(timer);
      clearTimeout(targetsTimer);
      stopping.abort();
      schedule.stopAll();
      leading = false;
      await flushAttempts();
      // Another relay of the site takes over at its next try, not after the lease's ttl (the
      // release compares: a lease this relay does not hold stays).
      await store.resign().catch(() => {});
      await store.close();
    },
  };
}
