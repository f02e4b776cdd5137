import type { Dialog } from '../dialog/dialog';
import { assertedIdentity } from '../proxy/trust';
import { header } from '../sip/message';
import { tagOf } from '../sip/uri';
import type { Destination } from '../transport/sip-transport';
import type { CallRuntime } from './context';

/** The From tag of the call's INVITE. */
export function callerTag(call: CallRuntime): string | undefined {
  return tagOf(header(call.state.request, 'from'));
}

/**
 * The dialog record of a call whose callee is reached at `callee` (the hop of branch `leg.branch`);
 * undefined when the INVITE had no From tag to key the dialog by.
 */
export function dialogRecord(
  call: CallRuntime,
  callee: Destination,
  leg: {
    branch: string;
    calleeTag?: string | undefined;
    cseqOffset: number;
    mediaInstance: string | null;
    endsAt?: number;
    leases?: Dialog['leases'];
  },
  now: number,
): Dialog | undefined {
  const tag = callerTag(call);
  if (tag === undefined) return undefined;
  const branch = call.state.branches.find((b) => b.id === leg.branch);
  const target = branch ? call.state.targets[branch.targetIndex] : undefined;
  const asserted = target ? assertedIdentity(target.headers) : undefined;
  return {
    call_id: call.callId,
    caller_tag: tag,
    ...(leg.calleeTag ? { callee_tag: leg.calleeTag } : {}),
    caller: { ...call.state.source },
    callee: { transport: callee.transport, address: callee.host, port: callee.port },
    cseq_offset: leg.cseqOffset,
    ...(asserted ? { asserted_identity: asserted } : {}),
    media_instance: leg.mediaInstance,
    started_at: now,
    ...(leg.endsAt !== undefined ? { ends_at: leg.endsAt } : {}),
    ...(leg.leases ? { leases: leg.leases } : {}),
  };
}
