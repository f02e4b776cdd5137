import type { DecideResponse } from '../../contract/decide';
import type { Admission } from '../admission/admission';
import type { RelayConfig } from '../config';
import type { DecisionClient } from '../decision/decision-client';
import type { Dialog, DialogStore } from '../dialog/dialog';
import { type AttemptOutcome, createRelayEvents, type RelayEvents } from '../events';
import type { Logger } from '../log';
import type { MediaAnchor } from '../media/media-anchor';
import type { CallEnv, CallState } from '../proxy/call';
import { newBranch } from '../sip/branch';
import type { LocalAddress } from '../sip/route';
import { type ServerTransaction, Transactions } from '../transaction/transactions';
import type { Destination, SipTransport } from '../transport/sip-transport';
import type { CallRecorder } from './call-record';
import { createHeldDialogs, type HeldDialogs } from './held-dialogs';

/** One INVITE in progress: the pure state plus what the shell keeps beside it. */
export type CallRuntime = {
  state: CallState;
  readonly tx: ServerTransaction;
  readonly callId: string;
  readonly timers: Map<string, NodeJS.Timeout>;
  readonly hops: Map<string, Destination>;
  readonly attempts: AttemptOutcome[];
  readonly receivedAt: number;
  answeredAt: number | null;
  finished: boolean;
  /** The id of the call's record (docs/cdrs.md), made when the INVITE arrives. */
  readonly recordId: string;
  /** Whether the decision was asked: only such calls get a record. */
  decisionAsked: boolean;
  decision: DecideResponse | undefined;
  /** When the first 18x left for the caller. */
  ringingAt: number | null;
  /** The reason phrase of the final answer sent to the caller. */
  finalReason: string;
  answeredBranch: string | undefined;
  /** The dialog of the answered branch, stored once the call's record is known (finish). */
  pendingDialog: Dialog | undefined;
  /** Admission leases the call holds on its caller side (IPBX, customer) until it ends. */
  leases: string[];
  /** The provider lease of each branch that took one, given back when that attempt fails. */
  readonly branchLeases: Map<string, string>;
  /** Events run one after another (media answers are async and must not overtake). */
  queue: Promise<void>;
  media: {
    instance: string | null;
    anchored: Set<string>;
    answers: Map<string, { from: string; to: string }>;
  };
};

/** What the runtime pieces share: the adapters and the live calls. */
export type RelayContext = {
  readonly config: RelayConfig;
  readonly local: LocalAddress;
  readonly transport: SipTransport;
  readonly transactions: Transactions;
  readonly decision: DecisionClient;
  readonly dialogs: DialogStore;
  readonly media: MediaAnchor;
  readonly records: CallRecorder;
  /** Limits per IPBX, customer and provider (admission/): memory alone, or shared through Redis. */
  readonly admission: Admission;
  /** The providers the site holds down (health/), sent with every decide. */
  readonly downProviders: () => readonly string[];
  /** Every attempt of a provider target, for passive health (health/): its outcome and the target's threshold. */
  readonly observeAttempt: (outcome: AttemptOutcome, passiveDownAfter: number | undefined) => void;
  readonly events: RelayEvents;
  readonly log: Logger;
  readonly now: () => number;
  readonly env: () => CallEnv;
  readonly calls: Map<string, CallRuntime>;
  readonly callsById: Map<string, CallRuntime>;
  /** The answered calls this relay carries, own and adopted (drain waits for them). */
  readonly held: HeldDialogs;
  /** Draining, overloaded or unable to record calls (which, for the refusal log): new INVITEs get 503 + Retry-After. */
  readonly refuseCalls: () => false | 'draining' | 'overload' | 'cdr_spool_full';
};

/**
 * The context around a transport and the adapters: transactions, events, the live calls and
 * the environment every call step reads. startRelay builds it around its sockets;
 * bench:sip:core around a transport that records what would be sent.
 *
 * @example
 * const ctx = createRelayContext({ config, local, transport, decision, dialogs, media, log, now: Date.now, refuseCalls: () => false });
 */
export function createRelayContext(
  parts: Pick<
    RelayContext,
    | 'config'
    | 'local'
    | 'transport'
    | 'decision'
    | 'dialogs'
    | 'media'
    | 'records'
    | 'admission'
    | 'downProviders'
    | 'observeAttempt'
    | 'log'
    | 'now'
    | 'refuseCalls'
  >,
): RelayContext {
  const { config, local, now } = parts;
  return {
    ...parts,
    transactions: new Transactions(parts.transport, config.timers),
    events: createRelayEvents(),
    env: () => ({
      local,
      now: now(),
      newBranch,
      relayId: config.relayId,
      downProviders: parts.downProviders(),
      retryAfterS: config.retryAfterS,
      cancelWaitMs: config.timers.cancelWaitMs,
      digestAlgorithms: config.digestAlgorithms,
    }),
    calls: new Map(),
    callsById: new Map(),
    held: createHeldDialogs(config.dialogs.ttlS * 1000, now()),
  };
}
