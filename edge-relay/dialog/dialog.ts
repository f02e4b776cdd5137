import { z } from '@hono/zod-openapi';
import { transport } from '../../contract/peer';

/** One side of a dialog as the relay reaches it (the connection a stream peer used). */
export const dialogFlow = z.object({
  transport,
  address: z.string(),
  port: z.number().int(),
});

/**
 * What the relay keeps per established call so any relay can route its
 * in-dialog requests: who is the caller, how each side is reached, and the
 * CSeq shift our own digest retry introduced toward the callee.
 */
export const dialog = z.object({
  call_id: z.string(),
  caller_tag: z.string(),
  callee_tag: z.string().optional(),
  caller: dialogFlow,
  callee: dialogFlow,
  cseq_offset: z.number().int().default(0),
  /**
   * The identity headers (P-Asserted-Identity...) the decision set on the callee's INVITE: the
   * only identity forwarded toward the callee in this dialog (proxy/trust.ts); absent when none.
   */
  asserted_identity: z.record(z.string(), z.string()).optional(),
  /** The rtpengine (`host:port`) that anchors this call's media; null when media flows end to end. */
  media_instance: z.string().nullable().default(null),
  started_at: z.number(),
  /** The customer's maximum call duration ends the call at this time (ms): BYE both ways, `max_duration`. */
  ends_at: z.number().optional(),
  /**
   * The admission leases the call holds (its record id and the scopes: IPBX, customer, provider):
   * whichever relay ends the call gives them back (admission/).
   */
  leases: z.object({ member: z.string(), keys: z.array(z.string()) }).optional(),
  /**
   * The call's record so far (edge-relay/cdr/call-record.ts `OpenCdr`), as JSON text: whichever
   * relay takes the dialog at its end (BYE, expiry) closes and writes it. One flat string keeps a
   * held call's memory small.
   */
  cdr: z.string().optional(),
});

export type DialogFlow = z.infer<typeof dialogFlow>;
export type Dialog = z.infer<typeof dialog>;

/** Dialog storage; the in-memory one serves a single node, a Redis one a cluster. */
export type DialogStore = {
  get(callId: string): Promise<Dialog | undefined>;
  put(dialog: Dialog): Promise<void>;
  delete(callId: string): Promise<void>;
  /**
   * Removes the dialog and returns it to this caller only: of relays ending the same call at once
   * (a BYE on one, expiry on another), exactly one gets it, so its record is closed once.
   */
  take(callId: string): Promise<Dialog | undefined>;
  /** Takes (as `take`) up to `limit` dialogs older than the store's TTL at `now`. */
  takeExpired(now: number, limit: number): Promise<Dialog[]>;
  size(): Promise<number>;
  /** Releases connections (the Redis store); the in-memory store has none. */
  close?(): Promise<void>;
};
