import type { Cdr } from '../../contract/cdr';
import { type CallEnd, closeCallRecord, type OpenCdr, openCallRecord } from '../cdr/call-record';
import type { Dialog } from '../dialog/dialog';
import type { CallRuntime, RelayContext } from './context';

/** Where finished records go: the spool (edge-relay/cdr), or nowhere in benchmarks. */
export type CallRecorder = { record(cdr: Cdr): Promise<void> };

/** Hands a finished record to the recorder; a failure to spool it is an error for the operator. */
export function writeRecord(ctx: RelayContext, cdr: Cdr): void {
  ctx.records
    .record(cdr)
    .catch((error) =>
      ctx.log.error('cdr not spooled', { call_id: cdr.call_id, cdr_id: cdr.id, error: String(error) }),
    );
}

/**
 * The record of a call once the caller has its final answer, or undefined when the call has
 * none: refused before the decision was asked (overload, drain, hops, loops: counted in
 * metrics), or challenged (the authenticated retry is the call).
 */
export function callRecord(
  ctx: RelayContext,
  call: CallRuntime,
  status: number,
  refused?: string,
): OpenCdr | undefined {
  if (!call.decisionAsked || call.decision?.action === 'challenge') return undefined;
  return openCallRecord({
    id: call.recordId,
    request: call.state.request,
    source: call.state.source,
    relayId: ctx.config.relayId,
    decision: call.decision,
    finalCode: status,
    reason: call.finalReason,
    refused,
    receivedAt: call.receivedAt,
    ringingAt: call.ringingAt,
    answeredAt: call.answeredAt,
    attempts: call.attempts,
    mediaAnchored: call.answeredBranch
      ? call.media.anchored.has(call.answeredBranch)
      : call.media.anchored.size > 0,
  });
}

/** Closes the record a dialog carries (whoever took the dialog ends the call) and writes it. */
export function closeDialogRecord(ctx: RelayContext, dialog: Dialog, end: CallEnd): void {
  if (dialog.cdr === undefined) return;
  let open: OpenCdr;
  try {
    open = JSON.parse(dialog.cdr) as OpenCdr;
  } catch {
    ctx.log.error('cdr in dialog unreadable', { call_id: dialog.call_id });
    return;
  }
  writeRecord(ctx, closeCallRecord(open, end));
}
