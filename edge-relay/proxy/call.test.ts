import { describe, expect, it } from 'vitest';
import type { RouteTarget } from '../../contract/decide';
import { header, headers, listValues, type SipResponse, withHeader } from '../sip/message';
import { makeResponse } from '../sip/response';
import { invite, responseTo } from '../sip/test-messages';
import {
  type CallAction,
  type CallEnv,
  type CallEvent,
  type CallState,
  callReducer,
  startCall,
} from './call';

const ID = '3f1c1a7e-2a4b-4a53-9d8a-3c2b9f5e6d10';
const target = (port: number, overrides: Partial<RouteTarget> = {}): RouteTarget => ({
  kind: 'provider',
  id: ID,
  route_id: null,
  uri: `sip:+8210@203.0.113.${port}:5060`,
  transport: 'udp',
  callee: '+8210',
  caller: '+1555',
  headers: { 'P-Asserted-Identity': '<sip:+1555@tandem>' },
  timers: { provisional_ms: 2000, final_ms: 60000 },
  media_anchor: false,
  credentials: null,
  failover_codes: ['404', '500', '502', '503', '504', '600', '603'],
  reason: 'test',
  ...overrides,
});
const source = { transport: 'udp' as const, address: '198.51.100.7', port: 5070 };
/** A provider's stored digest credentials (HA1 only). */
const credentials = {
  username: 'u',
  realm: 'carrier',
  ha1_md5: '0'.repeat(32),
  ha1_sha256: '0'.repeat(64),
};

function harness(targets: RouteTarget[]) {
  let n = 0;
  const env = (now = 0): CallEnv => ({
    local: { host: '192.0.2.1', ports: { udp: 5060, tcp: 5060 } },
    now,
    newBranch: (loop) => `z9hG4bK${loop}.b${++n}`,
    relayId: 'r1',
    retryAfterS: 5,
    cancelWaitMs: 1000,
  });
  let { state, actions } = startCall(invite(), source, 'ourtag', env());
  const all: CallAction[] = [...actions];
  const send = (event: CallEvent, now = 0) => {
    const step = callReducer(state, event, env(now));
    state = step.state;
    all.push(...step.actions);
    return step.actions;
  };
  send({
    type: 'decided',
    decision: {
      action: 'route',
      call: {
        customer_id: ID,
        direction: 'outbound',
        source_kind: 'ipbx',
        source_id: ID,
        caller: '+1555',
        callee: '+8210',
      },
      targets,
    },
  });
  const invites = () => all.filter((a) => a.type === 'send-invite');
  const responses = () => all.filter((a) => a.type === 'respond').map((a) => a.response);
  const branch = (i: number) => invites()[i]!;
  const reply = (i: number, status: number, opts: Parameters<typeof responseTo>[2] = {}, now = 0) =>
    send(
      {
        type: 'response',
        branch: branch(i).branch,
        response: responseTo(branch(i).request, status, { toTag: 'callee', ...opts }),
      },
      now,
    );
  return {
    send,
    invites,
    responses,
    reply,
    branch,
    get state(): CallState {
      return state;
    },
    all,
  };
}

const statuses = (rs: SipResponse[]) => rs.map((r) => r.status);
const routeDecision = {
  action: 'route' as const,
  call: {
    customer_id: ID,
    direction: 'outbound' as const,
    source_kind: 'ipbx' as const,
    source_id: ID,
    caller: '+1555',
    callee: '+8210',
  },
};

describe('a new INVITE', () => {
  const env: CallEnv = {
    local: { host: '192.0.2.1', ports: { udp: 5060, tcp: 5060 } },
    now: 0,
    newBranch: () => 'z9hG4bKx',
    relayId: 'r1',
    retryAfterS: 5,
    cancelWaitMs: 1000,
  };

  it('asks the decision and gets 100 Trying in the same turn, the decide first', () => {
    const { actions } = startCall(invite(), source, 't', env);
    expect(actions.map((a) => a.type)).toEqual(['decide', 'respond']);
    expect((actions[1] as Extract<CallAction, { type: 'respond' }>).response.status).toBe(100);
    const decide = actions[0] as Extract<CallAction, { type: 'decide' }>;
    expect(decide.request).toMatchObject({
      call_id: 'call-1@198.51.100.7',
      source: { ip: '198.51.100.7', port: 5070 },
    });
  });

  it('gets 483 when Max-Forwards is 0', () => {
    const zero = startCall(withHeader(invite(), 'Max-Forwards', '0'), source, 't', env);
    expect(zero.actions[0]).toMatchObject({ type: 'respond', response: { status: 483 } });
  });

  it('gets 503 with Retry-After when the decision fails', () => {
    const { state } = startCall(invite(), source, 't', env);
    const { actions } = callReducer(state, { type: 'decide-failed', reason: 'timeout' }, env);
    const res = (actions[0] as Extract<CallAction, { type: 'respond' }>).response;
    expect(res.status).toBe(503);
    expect(header(res, 'retry-after')).toBe('5');
  });

  it('says why it refused, when it refused before any attempt (not on a challenge)', () => {
    const finished = (actions: CallAction[]) => actions.find((a) => a.type === 'finished');
    const zero = startCall(withHeader(invite(), 'Max-Forwards', '0'), source, 't', env);
    expect(finished(zero.actions)).toEqual({ type: 'finished', status: 483, refused: 'too_many_hops' });
    const { state } = startCall(invite(), source, 't', env);
    const failed = callReducer(state, { type: 'decide-failed', reason: 'timeout' }, env);
    expect(finished(failed.actions)).toEqual({
      type: 'finished',
      status: 503,
      refused: 'decision_unreachable',
    });
    const rejected = callReducer(
      state,
      { type: 'decided', decision: { action: 'reject', code: 403, reason: 'unknown_source' } },
      env,
    );
    expect(finished(rejected.actions)).toEqual({ type: 'finished', status: 403, refused: 'unknown_source' });
    const refusal = (rejected.actions[0] as Extract<CallAction, { type: 'respond' }>).response;
    expect(headers(refusal, 'reason')).toEqual(['SIP;cause=403;text="unknown_source"']);
    const challenged = callReducer(
      state,
      {
        type: 'decided',
        decision: { action: 'challenge', realm: 'acme', nonce: 'n1', algorithms: ['MD5'], stale: false },
      },
      env,
    );
    expect(finished(challenged.actions)).toEqual({ type: 'finished', status: 407 });
  });

  it('gets 407 with one Proxy-Authenticate per algorithm on a challenge', () => {
    const { state } = startCall(invite(), source, 't', env);
    const { actions } = callReducer(
      state,
      {
        type: 'decided',
        decision: {
          action: 'challenge',
          realm: 'acme',
          nonce: 'n1',
          algorithms: ['SHA-256', 'MD5'],
          stale: false,
        },
      },
      env,
    );
    const res = (actions[0] as Extract<CallAction, { type: 'respond' }>).response;
    expect(res.status).toBe(407);
    expect(headers(res, 'proxy-authenticate')).toEqual([
      'Digest realm="acme", nonce="n1", algorithm=SHA-256, qop="auth"',
      'Digest realm="acme", nonce="n1", algorithm=MD5, qop="auth"',
    ]);
  });
});

describe('the first attempt', () => {
  it('is the INVITE rewritten for the target (RFC 3261 §16.6)', () => {
    const h = harness([target(1)]);
    const sent = h.branch(0).request;
    expect(sent.uri).toBe('sip:+8210@203.0.113.1:5060');
    expect(header(sent, 'max-forwards')).toBe('69');
    expect(listValues(sent, 'via')[0]).toMatch(
      /^SIP\/2\.0\/UDP 192\.0\.2\.1:5060;branch=z9hG4bK[0-9a-f]{10}\.b1;rport$/,
    );
    expect(listValues(sent, 'record-route')).toEqual(['<sip:192.0.2.1:5060;lr>']);
    expect(headers(sent, 'p-asserted-identity')).toEqual(['<sip:+1555@tandem>']);
    expect(header(sent, 'x-custom')).toBe('kept');
  });
});

describe('serial failover', () => {
  it('tries the next target on a failover code and forwards its 200', () => {
    const h = harness([target(1), target(2)]);
    h.reply(0, 503);
    expect(h.invites()).toHaveLength(2);
    h.reply(1, 180);
    h.reply(1, 200);
    expect(statuses(h.responses())).toEqual([100, 180, 200]);
    expect(listValues(h.responses()[2]!, 'via')).toHaveLength(1); // our Via is gone
    expect(h.all.filter((a) => a.type === 'attempt').map((a) => a.outcome.code)).toEqual([503, 200]);
  });

  it('stops on 486 with the default codes', () => {
    const h = harness([target(1), target(2)]);
    h.reply(0, 486);
    expect(h.invites()).toHaveLength(1);
    expect(statuses(h.responses())).toEqual([100, 486]);
  });

  it('answers the best response when all fail (503 becomes 500, 4xx beats 5xx)', () => {
    const a = harness([target(1), target(2)]);
    a.reply(0, 503);
    a.reply(1, 404);
    expect(statuses(a.responses())).toEqual([100, 404]);
    const b = harness([target(1), target(2)]);
    b.reply(0, 503);
    b.reply(1, 503);
    expect(statuses(b.responses())).toEqual([100, 500]);
  });

  it('keeps its own 503 (the relay could not place an attempt) as 503 with Retry-After', () => {
    const h = harness([target(1)]);
    const own = makeResponse(h.branch(0).request, 503);
    h.send({ type: 'response', branch: h.branch(0).branch, response: own, own: true });
    const final = h.responses().at(-1)!;
    expect(final.status).toBe(503);
    expect(header(final, 'retry-after')).toBe('5');
  });

  it('moves on when no provisional comes in time', () => {
    const h = harness([target(1), target(2)]);
    h.send({ type: 'timer', timer: 'provisional', branch: h.branch(0).branch }, 2000);
    expect(h.all).toContainEqual({ type: 'cancel-branch', branch: h.branch(0).branch });
    expect(h.invites()).toHaveLength(2);
  });

  it('CANCELs a ringing branch after final_ms and moves on (Timer C)', () => {
    const h = harness([target(1), target(2)]);
    h.reply(0, 180, {}, 100);
    h.send({ type: 'timer', timer: 'final', branch: h.branch(0).branch }, 60000);
    expect(h.all).toContainEqual({ type: 'cancel-branch', branch: h.branch(0).branch });
    expect(h.invites()).toHaveLength(2);
    h.reply(0, 487); // the cancelled branch's answer is absorbed
    expect(statuses(h.responses())).toEqual([100, 180]);
  });

  it('never fails over after early media reached the caller', () => {
    const h = harness([target(1), target(2)]);
    h.reply(0, 183, { body: 'v=0\r\n', contentType: 'application/sdp' });
    h.reply(0, 503);
    expect(h.invites()).toHaveLength(1);
    expect(statuses(h.responses())).toEqual([100, 183, 500]);
  });

  it('after the caller CANCEL: CANCELs the branch, answers 487, no next attempt', () => {
    const h = harness([target(1), target(2)]);
    h.reply(0, 180);
    h.send({ type: 'cancel' });
    expect(h.all).toContainEqual({ type: 'cancel-branch', branch: h.branch(0).branch });
    h.reply(0, 487);
    expect(h.invites()).toHaveLength(1);
    expect(statuses(h.responses())).toEqual([100, 180, 487]);
  });

  it('answers a provider challenge once with the credentials (CSeq + 1, restored upstream)', () => {
    const h = harness([target(1, { credentials })]);
    h.reply(0, 407, { extra: ['Proxy-Authenticate: Digest realm="carrier", nonce="abc", qop="auth"'] });
    expect(h.invites()).toHaveLength(2);
    const retry = h.branch(1).request;
    expect(header(retry, 'proxy-authorization')).toMatch(
      /^Digest username="u", realm="carrier", nonce="abc"/,
    );
    expect(header(retry, 'cseq')).toBe('2 INVITE');
    h.reply(1, 200);
    const ok = h.responses().at(-1)!;
    expect(ok.status).toBe(200);
    expect(header(ok, 'cseq')).toBe('1 INVITE');
    expect(h.all).toContainEqual(expect.objectContaining({ type: 'answered', cseqOffset: 1 }));
  });

  it("sends the provider only the relay's credentials, never the caller's", () => {
    // The caller answered the relay's 407 and claims identities of its own.
    const caller = withHeader(
      withHeader(invite(), 'Proxy-Authorization', 'Digest username="pbx", realm="tandem", response="x"'),
      'Remote-Party-ID',
      '<sip:+1999@evil>',
    );
    const env: CallEnv = {
      local: { host: '192.0.2.1', ports: { udp: 5060, tcp: 5060 } },
      now: 0,
      newBranch: () => 'z9hG4bKx',
      relayId: 'r1',
      retryAfterS: 5,
      cancelWaitMs: 1000,
    };
    const started = startCall(
      withHeader(caller, 'P-Preferred-Identity', '<sip:+1998@evil>'),
      source,
      't',
      env,
    );
    const routed = callReducer(
      started.state,
      { type: 'decided', decision: { ...routeDecision, targets: [target(1, { credentials })] } },
      env,
    );
    const sent = routed.actions.find((a) => a.type === 'send-invite')!.request;
    for (const key of ['proxy-authorization', 'p-preferred-identity', 'remote-party-id'])
      expect(headers(sent, key)).toEqual([]);
    expect(headers(sent, 'p-asserted-identity')).toEqual(['<sip:+1555@tandem>']);
    const challenged = callReducer(
      routed.state,
      {
        type: 'response',
        branch: 'z9hG4bKx',
        response: responseTo(sent, 407, {
          toTag: 'p',
          extra: ['Proxy-Authenticate: Digest realm="carrier", nonce="abc", qop="auth"'],
        }),
      },
      env,
    );
    const retry = challenged.actions.find((a) => a.type === 'send-invite')!.request;
    const own = headers(retry, 'proxy-authorization');
    expect(own).toHaveLength(1);
    expect(own[0]).toMatch(/^Digest username="u", realm="carrier", nonce="abc"/);
  });

  it('passes a second 407 from the same provider on as the answer', () => {
    const h = harness([target(1, { credentials })]);
    const challenge = { extra: ['Proxy-Authenticate: Digest realm="carrier", nonce="abc"'] };
    h.reply(0, 407, challenge);
    h.reply(1, 407, challenge);
    expect(h.invites()).toHaveLength(2);
    expect(statuses(h.responses())).toEqual([100, 407]);
  });
});

describe('admission', () => {
  it('an IPBX over its limit gets 503 with Retry-After and a Reason naming the limit, before any attempt', () => {
    const env: CallEnv = {
      local: { host: '192.0.2.1', ports: { udp: 5060, tcp: 5060 } },
      now: 0,
      newBranch: () => 'z9hG4bKx',
      relayId: 'r1',
      retryAfterS: 5,
      cancelWaitMs: 1000,
    };
    const { state } = startCall(invite(), source, 't', env);
    const { actions } = callReducer(
      state,
      { type: 'over-limit', scope: 'ipbx', limit: 'max_concurrent_calls', retryAfterS: 7 },
      env,
    );
    const response = (actions[0] as Extract<CallAction, { type: 'respond' }>).response;
    expect(response.status).toBe(503);
    expect(header(response, 'retry-after')).toBe('7');
    expect(header(response, 'reason')).toBe('SIP;cause=503;text="ipbx max_concurrent_calls reached"');
    expect(actions[1]).toEqual({ type: 'finished', status: 503, refused: 'ipbx_over_max_concurrent_calls' });
    expect(actions.some((a) => a.type === 'send-invite')).toBe(false);
  });

  it('a provider over its limit is passed over for the next target whatever the failover codes say', () => {
    const h = harness([target(1, { failover_codes: [] }), target(2)]);
    const first = h.branch(0).branch;
    const actions = h.send({ type: 'attempt-refused', branch: first });
    expect(actions.filter((a) => a.type === 'send-invite')).toHaveLength(1);
    expect(actions.some((a) => a.type === 'attempt')).toBe(false);
    expect(h.invites()[1]!.target.uri).toContain('203.0.113.2');
  });

  it('every provider over its limit: the caller gets the relay own 503 with Retry-After', () => {
    const h = harness([target(1), target(2)]);
    h.send({ type: 'attempt-refused', branch: h.branch(0).branch });
    h.send({ type: 'attempt-refused', branch: h.branch(1).branch });
    const last = h.responses().at(-1)!;
    expect(last.status).toBe(503);
    expect(header(last, 'retry-after')).toBe('5');
  });

  it('a provider that answers after another was over its limit: its answer is the call', () => {
    const h = harness([target(1), target(2)]);
    h.send({ type: 'attempt-refused', branch: h.branch(0).branch });
    h.reply(1, 486);
    expect(statuses(h.responses()).at(-1)).toBe(486);
  });
});
