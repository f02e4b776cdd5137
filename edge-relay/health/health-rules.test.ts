import { describe, expect, it } from 'vitest';
import type { HealthTarget } from '../../contract/health';
import { providerStatusReport } from '../../contract/health';
import type { AttemptOutcome } from '../events';
import { header, parseMessage, type SipRequest, serialize } from '../sip/message';
import { tagOf } from '../sip/uri';
import { parseVia } from '../sip/via';
import {
  afterPassiveMark,
  afterProbe,
  attemptSucceeded,
  initialState,
  isAlive,
  type ProviderState,
  passiveVerdict,
  transition,
} from './health-rules';
import { createMemoryHealthStore } from './memory-health-store';
import { optionsProbe } from './options-probe';
import { statusReport } from './status-reporter';

const thresholds = { down_after: 3, up_after: 2 };
const failed = { code: null, alive: false };
const alive = { code: 200, alive: true };

function run(start: ProviderState, probes: { code: number | null; alive: boolean }[]): ProviderState[] {
  const out: ProviderState[] = [];
  let state = start;
  probes.forEach((p, i) => {
    state = afterProbe(state, p, thresholds, (i + 1) * 1000);
    out.push(state);
  });
  return out;
}

const attempt = (code: number, cause: AttemptOutcome['cause'] = 'response'): AttemptOutcome => ({
  call_id: 'c1',
  target_kind: 'provider',
  target_id: 'p1',
  route_id: null,
  uri: 'sip:+33@198.51.100.1',
  code,
  cause,
  pdd_ms: null,
  started_at: 0,
  ended_at: 1,
});

const target: HealthTarget = {
  provider_id: '3f1c1a7e-2a4b-4a53-9d8a-3c2b9f5e6d10',
  uri: 'sip:198.51.100.1:5080;transport=tcp',
  transport: 'tcp',
  interval_s: 10,
  timeout_ms: 2000,
  down_after: 3,
  up_after: 2,
  alive_codes: ['200', '4xx'],
  passive_down_after: 5,
};

describe('provider state rules', () => {
  it('a final code is alive when a code or a class matches; no answer never is', () => {
    expect(isAlive(200, ['200'])).toBe(true);
    expect(isAlive(404, ['200', '4xx'])).toBe(true);
    expect(isAlive(503, ['200', '4xx'])).toBe(false);
    expect(isAlive(null, ['200', '4xx'])).toBe(false);
  });

  it('starts up; down_after consecutive failed probes take it down by probe', () => {
    const states = run(initialState(0), [failed, failed, alive, failed, failed, failed]);
    expect(states.map((s) => s.state)).toEqual(['up', 'up', 'up', 'up', 'up', 'down']);
    const down = states[5]!;
    expect(down).toMatchObject({ down_by: 'probe', since: 6000, fails: 3, oks: 0 });
    expect(down.last_probe).toEqual({ at: 6000, code: null, alive: false });
    expect(transition(states[4]!, down)).toEqual({ to: 'down', by: 'probe' });
  });

  it('down, it takes up_after consecutive alive probes to come back up', () => {
    const down = run(initialState(0), [failed, failed, failed])[2]!;
    const states = run(down, [alive, failed, alive, alive]);
    expect(states.map((s) => s.state)).toEqual(['down', 'down', 'down', 'up']);
    expect(states[3]).toMatchObject({ down_by: null, since: 4000, fails: 0 });
    expect(transition(states[2]!, states[3]!)).toEqual({ to: 'up' });
    expect(transition(states[0]!, states[1]!)).toBeUndefined();
  });

  it('a passive mark takes it down at once by attempts; while down it restarts the recovery', () => {
    const marked = afterPassiveMark(initialState(0), 500);
    expect(marked).toMatchObject({ state: 'down', down_by: 'attempts', since: 500, oks: 0 });
    const recovering = afterProbe(marked, alive, thresholds, 1000);
    expect(recovering).toMatchObject({ state: 'down', oks: 1 });
    const again = afterPassiveMark(recovering, 1500);
    expect(again).toMatchObject({ state: 'down', down_by: 'attempts', since: 500, oks: 0 });
    expect(afterProbe(afterProbe(again, alive, thresholds, 2000), alive, thresholds, 3000).state).toBe('up');
  });

  it('passive verdicts: timeouts and 503 fail, a cancelled attempt is ignored, anything else answers', () => {
    expect(passiveVerdict(attempt(408, 'no-provisional'))).toBe('failed');
    expect(passiveVerdict(attempt(408, 'no-final'))).toBe('failed');
    expect(passiveVerdict(attempt(503))).toBe('failed');
    expect(passiveVerdict(attempt(487, 'cancelled'))).toBe('ignored');
    expect(passiveVerdict(attempt(408))).toBe('answered');
    expect(passiveVerdict(attempt(486))).toBe('answered');
    expect(passiveVerdict(attempt(200))).toBe('answered');
    expect(passiveVerdict(attempt(500))).toBe('answered');
  });

  it('attempt statistics: a final below 500 other than 408, or a 6xx, succeeded; cancelled ones do not count', () => {
    expect(attemptSucceeded(attempt(200))).toBe(true);
    expect(attemptSucceeded(attempt(404))).toBe(true);
    expect(attemptSucceeded(attempt(603))).toBe(true);
    expect(attemptSucceeded(attempt(408))).toBe(false);
    expect(attemptSucceeded(attempt(408, 'no-final'))).toBe(false);
    expect(attemptSucceeded(attempt(503))).toBe(false);
    expect(attemptSucceeded(attempt(487, 'cancelled'))).toBeUndefined();
  });
});

describe('the OPTIONS probe', () => {
  const local = { host: '192.0.2.1', ports: { udp: 5060, tcp: 5070 } };
  const onWire = (request: SipRequest) => parseMessage(serialize(request)) as SipRequest;

  it('goes to the target over its transport, built like a request of the relay itself', () => {
    const built = optionsProbe(target, local)!;
    expect(built.to).toEqual({ transport: 'tcp', host: '198.51.100.1', port: 5080 });
    const request = onWire(built.request);
    expect(request.method).toBe('OPTIONS');
    expect(request.uri).toBe(target.uri);
    const via = parseVia(header(request, 'via')!)!;
    expect(via).toMatchObject({ transport: 'TCP', host: '192.0.2.1', port: 5070 });
    expect(via.params['branch']).toMatch(/^z9hG4bK/);
    expect(header(request, 'max-forwards')).toBe('70');
    expect(header(request, 'cseq')).toBe('1 OPTIONS');
    expect(header(request, 'to')).toBe(`<${target.uri}>`);
    expect(header(request, 'contact')).toBe('<sip:192.0.2.1:5070;transport=tcp>');
    expect(tagOf(header(request, 'from'))).toMatch(/^[0-9a-f]{16}$/);
  });

  it('a new Call-ID, From tag and branch per probe; the TLS policy goes with a TLS target', () => {
    const [a, b] = [optionsProbe(target, local)!.request, optionsProbe(target, local)!.request];
    expect(header(a, 'call-id')).not.toBe(header(b, 'call-id'));
    expect(tagOf(header(a, 'from'))).not.toBe(tagOf(header(b, 'from')));
    expect(header(a, 'via')).not.toBe(header(b, 'via'));
    const tls = optionsProbe(
      { ...target, uri: 'sip:sip.example.net;transport=tls', transport: 'tls', tls: { verify: true } },
      local,
    )!;
    expect(tls.to).toEqual({ transport: 'tls', host: 'sip.example.net', port: 5061, tls: { verify: true } });
    expect(optionsProbe({ ...target, uri: 'tel:+33123' }, local)).toBeUndefined();
  });
});

describe('the status report', () => {
  it('every target with its state, probe and attempts, as the contract reads it', () => {
    const down = afterProbe(
      afterPassiveMark(initialState(1_000), 2_000),
      { code: 503, alive: false },
      thresholds,
      3_000,
    );
    const other = { ...target, provider_id: '4f1c1a7e-2a4b-4a53-9d8a-3c2b9f5e6d10' };
    const report = statusReport(
      { site: 'par1', relayId: 'relay-1', now: 5_000 },
      [target, other],
      new Map([[target.provider_id, down]]),
      new Map([[target.provider_id, { total: 10, succeeded: 4 }]]),
    );
    expect(providerStatusReport.parse(report)).toEqual(report);
    expect(report.providers[0]).toEqual({
      provider_id: target.provider_id,
      state: 'down',
      since: new Date(2_000).toISOString(),
      down_by: 'attempts',
      last_probe: { at: new Date(3_000).toISOString(), code: 503, alive: false },
      attempts: { window_s: 300, total: 10, succeeded: 4 },
    });
    expect(report.providers[1]).toMatchObject({
      state: 'up',
      since: new Date(5_000).toISOString(),
      down_by: null,
      last_probe: null,
      attempts: { window_s: 300, total: 0, succeeded: 0 },
    });
  });
});

describe('the in-memory store', () => {
  it('a streak of failed attempts marks once and starts over; an answer ends a streak', async () => {
    const store = createMemoryHealthStore();
    expect(await store.attemptFailed('p1', 3)).toBe(false);
    await store.attemptAnswered('p1');
    expect(await store.attemptFailed('p1', 3)).toBe(false);
    expect(await store.attemptFailed('p1', 3)).toBe(false);
    expect(await store.attemptFailed('p1', 3)).toBe(true);
    expect(await store.attemptFailed('p1', 3)).toBe(false);
    expect([...(await store.read()).marks.keys()]).toEqual(['p1']);
  });

  it('a commit deletes a merged mark only if it was not set again since', async () => {
    const store = createMemoryHealthStore();
    await store.mark('p1');
    const first = (await store.read()).marks.get('p1')!;
    await store.mark('p1');
    const state = afterPassiveMark(initialState(0), 1);
    await store.commit({ states: new Map([['p1', state]]), removed: [], merged: new Map([['p1', first]]) });
    const view = await store.read();
    expect(view.marks.has('p1')).toBe(true);
    expect(view.states.get('p1')).toEqual(state);
    await store.commit({ states: new Map(), removed: [], merged: new Map([['p1', view.marks.get('p1')!]]) });
    expect((await store.read()).marks.size).toBe(0);
  });

  it('attempt counts add up over the buckets asked for', async () => {
    const store = createMemoryHealthStore();
    await store.addAttempts(10, new Map([['p1', { total: 2, succeeded: 1 }]]));
    await store.addAttempts(11, new Map([['p1', { total: 3, succeeded: 3 }]]));
    await store.addAttempts(40, new Map([['p1', { total: 7, succeeded: 0 }]]));
    expect(await store.attempts(10, 39)).toEqual(new Map([['p1', { total: 5, succeeded: 4 }]]));
  });
});
