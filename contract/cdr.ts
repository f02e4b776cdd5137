import { z } from '@hono/zod-openapi';
import { id, transport } from './peer';

/*
 * The call detail record: what the edge relay posts to `POST /v1/cdrs` once a
 * call is over, and what `GET /v1/cdrs` answers. Both halves import these
 * schemas; nothing else defines the shape (docs/cdrs.md).
 */

/**
 * A time as `Date.prototype.toISOString()` writes it: UTC, milliseconds, `Z`
 * (`2026-12-05T10:29:05.123Z`). One fixed width, so the text sorts as the time.
 */
export const cdrTime = z.iso
  .datetime({ precision: 3 })
  .openapi({ example: '2026-12-05T10:29:05.123Z', description: 'UTC, milliseconds: toISOString()' });

const sipCode = z.number().int().min(100).max(699);

/** One try of one target (a provider or an IPBX) for the call, in the order tried. */
export const cdrAttempt = z
  .object({
    target_kind: z.enum(['provider', 'ipbx']),
    /** provider_id or ipbx_id. */
    target_id: id,
    route_id: id.nullable(),
    /** The final code the target answered; 408 when the relay gave up on a timer, 487 when the caller cancelled. */
    code: sipCode,
    cause: z.enum(['response', 'no-provisional', 'no-final', 'cancelled']),
    /** The Request-URI the attempt's INVITE was sent to (the decision builds it: number @ host). */
    uri: z.string().min(1).max(512),
    /** Post-dial delay: INVITE sent → first provisional other than 100; null when none came. */
    pdd_ms: z.number().int().min(0).nullable(),
    /** The INVITE left for the target. */
    tm_start: cdrTime,
    /** The first provisional other than 100 arrived (tm_start + pdd_ms); null when none came. */
    tm_provisional: cdrTime.nullable(),
    /** The final answer arrived, or the relay gave up on the attempt. */
    tm_end: cdrTime,
  })
  .openapi('CdrAttempt');

/** Where the INVITE came from, and who the decision found it to be (null when it was refused before). */
export const cdrSource = z.object({
  ip: z.union([z.ipv4(), z.ipv6()]),
  port: z.number().int().min(1).max(65535),
  transport,
  kind: z.enum(['ipbx', 'provider']).nullable(),
  id: id.nullable(),
});

/** Largest number of attempts one record carries (the decision caps a call at 5 by default). */
export const MAX_CDR_ATTEMPTS = 16;
/** Largest number of records in one `POST /v1/cdrs`. */
export const MAX_CDR_BATCH = 500;

/**
 * One call: parties, times, disposition and every attempt. `id` is made by the
 * relay once per call (a random UUID) and is the idempotency key: posting a
 * record again stores it once.
 */
export const cdr = z
  .object({
    id,
    /** The SIP Call-ID of the caller's INVITE. */
    call_id: z.string().min(1).max(256),
    /** The relay that handled the call (TANDEM_RELAY_ID); null when it has none. */
    relay_id: z.string().max(128).nullable(),
    /** The customer the decision attributed the call to; null when it was refused before (unknown source). */
    customer_id: id.nullable(),
    direction: z.enum(['outbound', 'inbound', 'onnet']).nullable(),
    source: cdrSource,
    /** E.164 after ingress normalization; a party that does not normalize, as received. */
    caller: z.string().max(256),
    callee: z.string().max(256),
    /** The user part of the INVITE's P-Asserted-Identity or From, as the relay received it. */
    caller_received: z.string().max(256),
    /** The user part of the INVITE's Request-URI, as the relay received it. */
    callee_received: z.string().max(256),
    /** The DID (number or range as configured) that routed an inbound or on-net call; null otherwise. */
    did: z.string().max(32).nullable(),
    /** The final answer the caller got (200 when answered). */
    final_code: sipCode,
    /** The reason phrase of that answer. */
    reason: z.string().max(128),
    /**
     * Set when the relay refused the INVITE before any attempt: why, machine-readable (the
     * decision's reason such as `unknown_source`, `no_route`; `decision_unreachable`, `overload`).
     */
    refused: z.string().min(1).max(64).nullable(),
    /** When the INVITE arrived. */
    tm_invite: cdrTime,
    /** When the first 18x left for the caller; null when none did. */
    tm_ringing: cdrTime.nullable(),
    /** When the 2xx left for the caller; null when the call was not answered. */
    tm_answer: cdrTime.nullable(),
    /** When the call ended: the BYE's 2xx (answered), or the final answer (not answered). */
    tm_end: cdrTime,
    /** tm_invite → tm_end, seconds with milliseconds. */
    duration_s: z.number().min(0),
    /** tm_answer → tm_end (the billable time), seconds with milliseconds; 0 when not answered. */
    billsec: z.number().min(0),
    /** Who ended an answered call; null when not answered. */
    end_by: z.enum(['caller', 'callee', 'relay']).nullable(),
    /**
     * Why an answered call ended: `bye` (a BYE answered 2xx), `bye_failed` (a BYE answered 408 or
     * 481: the far end is gone), `timeout` (the dialog outlived TANDEM_DIALOG_TTL_S); null when not answered.
     */
    end_reason: z.string().min(1).max(64).nullable(),
    /** Whether rtpengine anchored the media of the call (of the answered attempt when answered). */
    media_anchored: z.boolean(),
    attempts: z.array(cdrAttempt).max(MAX_CDR_ATTEMPTS),
  })
  .superRefine((r, ctx) => {
    const at = (t: string) => Date.parse(t);
    if (at(r.tm_end) < at(r.tm_invite)) {
      ctx.addIssue({ code: 'custom', path: ['tm_end'], message: 'must not be before tm_invite' });
    }
    const seconds = (from: string | null) => (from === null ? 0 : (at(r.tm_end) - at(from)) / 1000);
    if (Math.abs(r.duration_s - seconds(r.tm_invite)) > 0.0005) {
      ctx.addIssue({
        code: 'custom',
        path: ['duration_s'],
        message: 'must be tm_end − tm_invite in seconds',
      });
    }
    if (Math.abs(r.billsec - seconds(r.tm_answer)) > 0.0005) {
      ctx.addIssue({
        code: 'custom',
        path: ['billsec'],
        message: 'must be tm_end − tm_answer in seconds (0 unanswered)',
      });
    }
    if (r.tm_answer !== null) {
      if (r.final_code < 200 || r.final_code > 299) {
        ctx.addIssue({
          code: 'custom',
          path: ['tm_answer'],
          message: 'must be null unless final_code is 2xx',
        });
      }
      if (at(r.tm_answer) < at(r.tm_invite) || at(r.tm_answer) > at(r.tm_end)) {
        ctx.addIssue({
          code: 'custom',
          path: ['tm_answer'],
          message: 'must be between tm_invite and tm_end',
        });
      }
    }
  })
  .openapi('Cdr');

/** The body of `POST /v1/cdrs`: 1–500 records, in any order (ids may repeat: stored once). */
export const cdrBatch = z.object({ cdrs: z.array(cdr).min(1).max(MAX_CDR_BATCH) }).openapi('CdrBatch');

/** The answer to a stored batch: how many distinct records it held (all durably written). */
export const cdrBatchResult = z.object({ accepted: z.number().int() }).openapi('CdrBatchResult');

export type Cdr = z.infer<typeof cdr>;
export type CdrAttempt = z.infer<typeof cdrAttempt>;
export type CdrBatch = z.infer<typeof cdrBatch>;
export type CdrBatchResult = z.infer<typeof cdrBatchResult>;

/** duration_s and billsec of a record from its times, as the contract checks them. */
export function cdrDurations(
  tmInvite: string,
  tmAnswer: string | null,
  tmEnd: string,
): Pick<Cdr, 'duration_s' | 'billsec'> {
  const end = Date.parse(tmEnd);
  return {
    duration_s: (end - Date.parse(tmInvite)) / 1000,
    billsec: tmAnswer === null ? 0 : (end - Date.parse(tmAnswer)) / 1000,
  };
}
