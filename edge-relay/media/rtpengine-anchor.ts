import { z } from 'zod';
import type { MediaFailurePolicy, RtpengineAddress } from '../settings/media-settings';
import { candidatesForNewCall, type DownUntil, instanceKey, isUp, markDown, markUp } from './instance-pool';
import {
  type AnswerRequest,
  type DeleteRequest,
  type MediaAnchor,
  MediaAnchorError,
  type MediaResult,
  type MediaStats,
  type OfferRequest,
} from './media-anchor';
import { createNgClient, type NgClient, NgUnreachableError } from './ng-client';
import {
  buildAnswerBody,
  buildDeleteBody,
  buildOfferBody,
  isOverloaded,
  isUnknownCall,
  type NgBody,
} from './ng-flags';

/** What the anchor reports for logs and metrics (the relay plugs in its logger). */
export type MediaEvent =
  | { type: 'instance-down'; instance: string; reason: string }
  | { type: 'instance-up'; instance: string }
  | { type: 'unanchored'; callId: string; reason: string }
  | { type: 'delete-failed'; callId: string; instance: string; reason: string };

export type RtpengineAnchorOptions = {
  instances: readonly RtpengineAddress[];
  failurePolicy: MediaFailurePolicy;
  /** Per ng command; an instance that does not answer in time is skipped. */
  timeoutMs?: number;
  /** How long a timed-out instance is left out of new calls. */
  downForMs?: number;
  /** Bound on remembered call → instance pairs (oldest forgotten first). */
  maxTrackedCalls?: number;
  onEvent?: (event: MediaEvent) => void;
  now?: () => number;
};

export type RtpengineAnchor = MediaAnchor & {
  /** Pings every instance, updates up/down state and returns it by instance. */
  health(): Promise<Record<string, boolean>>;
  /** The instance holding a call, when this relay knows it. */
  instanceOf(callId: string): string | undefined;
};

/**
 * Media anchoring through one or more rtpengines (ng protocol over UDP).
 * A call sticks to the instance its first offer landed on; new calls go to
 * the up instances in call-id hash order; an instance that times out is
 * marked down for `downForMs`. With no instance reachable, `failurePolicy`
 * decides: `reject` throws a 503 MediaAnchorError, `unanchored` returns the
 * SDP unchanged with `anchored: false`.
 *
 * @example
 * const anchor = await createRtpengineAnchor({ instances: settings.rtpengines, failurePolicy: 'unanchored' });
 * const { sdp, instance } = await anchor.offer({ callId, fromTag, viaBranch, sdp: body, policy: target });
 */
export async function createRtpengineAnchor(options: RtpengineAnchorOptions): Promise<RtpengineAnchor> {
  const timeoutMs = options.timeoutMs ?? 300;
  const downForMs = options.downForMs ?? 10_000;
  const maxTrackedCalls = options.maxTrackedCalls ?? 200_000;
  const now = options.now ?? Date.now;
  const emit = options.onEvent ?? (() => {});
  const byKey = new Map(options.instances.map((a) => [instanceKey(a), a]));
  const keys = [...byKey.keys()];
  const ng: NgClient = await createNgClient({ timeoutMs });
  let downUntil: DownUntil = new Map();
  const calls = new Map<string, string>();

  const remember = (callId: string, key: string) => {
    calls.delete(callId);
    calls.set(callId, key);
    if (calls.size > maxTrackedCalls) calls.delete(calls.keys().next().value!);
  };
  const knownInstance = (callId: string, hint?: string) =>
    hint !== undefined && byKey.has(hint) ? hint : calls.get(callId);

  /** Marks an instance down (again); reports only the transition from up. */
  const wentDown = (key: string, error: unknown) => {
    const wasUp = isUp(downUntil, key, now());
    downUntil = markDown(downUntil, key, now(), downForMs);
    if (!wasUp) return;
    emit({
      type: 'instance-down',
      instance: key,
      reason: error instanceof Error ? error.message : String(error),
    });
  };
  const cameUp = (key: string) => {
    if (!downUntil.has(key)) return;
    downUntil = markUp(downUntil, key);
    emit({ type: 'instance-up', instance: key });
  };

  /** Sends to one instance; a transport failure marks it down and returns undefined. */
  const sendTo = async (key: string, command: 'offer' | 'answer' | 'delete' | 'query', body: NgBody) => {
    try {
      const reply = await ng.send(byKey.get(key)!, command, body);
      cameUp(key);
      return reply;
    } catch (error) {
      if (!(error instanceof NgUnreachableError)) throw error;
      wentDown(key, error);
      return undefined;
    }
  };

  const unavailable = (callId: string, sdp: string, reason: string): MediaResult => {
    if (options.failurePolicy === 'reject') {
      throw new MediaAnchorError(`media anchoring unavailable: ${reason}`, 503);
    }
    emit({ type: 'unanchored', callId, reason });
    return { sdp, anchored: false, instance: null };
  };

  return {
    async offer(request: OfferRequest) {
      const built = buildOfferBody(request);
      if (!built.ok) throw new MediaAnchorError(`codecs not acceptable: ${built.reason}`, 488);
      const sticky = knownInstance(request.callId, request.instance);
      const candidates = sticky ? [sticky] : candidatesForNewCall(keys, request.callId, downUntil, now());
      for (const key of candidates) {
        const reply = await sendTo(key, 'offer', built.body);
        if (!reply) continue;
        if (reply.result === 'ok' && reply.sdp !== undefined) {
          remember(request.callId, key);
          return { sdp: reply.sdp, anchored: true, instance: key };
        }
        const reason = reply['error-reason'] ?? reply.result;
        if (!sticky && isOverloaded(reason)) continue;
        throw new MediaAnchorError(`rtpengine ${key} refused the offer: ${reason}`, 488);
      }
      return unavailable(
        request.callId,
        request.sdp,
        sticky ? `${sticky} unreachable` : 'no rtpengine reachable',
      );
    },

    async answer(request: AnswerRequest) {
      const key = knownInstance(request.callId, request.instance);
      if (!key) return { sdp: request.sdp, anchored: false, instance: null };
      const reply = await sendTo(key, 'answer', buildAnswerBody(request));
      if (!reply) return unavailable(request.callId, request.sdp, `${key} unreachable`);
      if (reply.result === 'ok' && reply.sdp !== undefined)
        return { sdp: reply.sdp, anchored: true, instance: key };
      throw new MediaAnchorError(
        `rtpengine ${key} refused the answer: ${reply['error-reason'] ?? reply.result}`,
        500,
      );
    },

    async delete(request: DeleteRequest) {
      const key = knownInstance(request.callId, request.instance);
      // Not known here (relay restart, another relay's call): ask every instance that is up.
      const targets = key ? [key] : keys.filter((k) => isUp(downUntil, k, now()));
      if (request.viaBranch === undefined) calls.delete(request.callId);
      await Promise.all(
        targets.map(async (target) => {
          const reply = await sendTo(target, 'delete', buildDeleteBody(request));
          const reason = reply ? (reply['error-reason'] ?? '') : 'unreachable';
          if (reply?.result === 'ok' || (reply && isUnknownCall(reason)) || !key) return;
          emit({ type: 'delete-failed', callId: request.callId, instance: target, reason });
        }),
      );
    },

    async query(callId: string, instance?: string) {
      const key = knownInstance(callId, instance);
      for (const target of key ? [key] : keys.filter((k) => isUp(downUntil, k, now()))) {
        const reply = await sendTo(target, 'query', { 'call-id': callId });
        if (reply?.result === 'ok') return toStats(target, reply);
      }
      return null;
    },

    async health() {
      const entries = await Promise.all(
        keys.map(async (key) => {
          try {
            const reply = await ng.send(byKey.get(key)!, 'ping');
            cameUp(key);
            return [key, reply.result === 'pong'] as const;
          } catch (error) {
            wentDown(key, error);
            return [key, false] as const;
          }
        }),
      );
      return Object.fromEntries(entries);
    },

    instanceOf: (callId) => calls.get(callId),

    async close() {
      ng.close();
    },
  };
}

const counters = z
  .object({ packets: z.number().default(0), bytes: z.number().default(0), errors: z.number().default(0) })
  .prefault({});
const queryReply = z.looseObject({
  totals: z.object({ RTP: counters, RTCP: counters }).prefault({}),
});

function toStats(instance: string, raw: Record<string, unknown>): MediaStats {
  const totals = queryReply.parse(raw).totals;
  return { instance, rtp: totals.RTP, rtcp: totals.RTCP, raw };
}
