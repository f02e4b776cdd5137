import type { LiveCall } from '../../contract/live-calls';
import type { OpenCdr } from '../cdr/call-record';
import type { Dialog } from '../dialog/dialog';
import { header } from '../sip/message';
import { parseNameAddr, parseUri } from '../sip/uri';
import type { CallRuntime, RelayContext } from './context';

const iso = (ms: number) => new Date(ms).toISOString();
const userOf = (uri: string | undefined) => (uri ? (parseUri(uri)?.user ?? '') : '');
/** Held dialogs read from the store at once (Redis: one round trip each). */
const READ_BATCH = 200;

/**
 * An INVITE in progress as `GET /calls` shows it; undefined once it failed (its final answer is
 * on its way and it leaves the list). Pure: reads the call's state only.
 *
 * @example
 * liveCallOfInvite(call); // { call_id, customer_id, …, state: 'ringing', answered_at: null }
 */
export function liveCallOfInvite(call: CallRuntime): LiveCall | undefined {
  const { state } = call;
  if (state.phase === 'failed') return undefined;
  const decided = call.decision?.action === 'route' ? call.decision.call : undefined;
  // The branch in progress (or the answered one): the last one started.
  const branch = state.branches.at(-1);
  const target = branch ? state.targets[branch.targetIndex] : undefined;
  return {
    call_id: call.callId,
    customer_id: decided?.customer_id ?? null,
    ipbx_id: decided?.source_kind === 'ipbx' ? decided.source_id : null,
    provider_id: target?.kind === 'provider' ? target.id : null,
    from:
      decided?.caller ??
      userOf(
        parseNameAddr(header(state.request, 'p-asserted-identity') ?? header(state.request, 'from') ?? '')
          ?.uri,
      ),
    to: decided?.callee ?? userOf(state.request.uri),
    state:
      state.phase === 'deciding'
        ? 'deciding'
        : state.phase === 'answered'
          ? 'answered'
          : call.ringingAt !== null
            ? 'ringing'
            : 'routing',
    started_at: iso(call.receivedAt),
    answered_at: call.answeredAt === null ? null : iso(call.answeredAt),
  };
}

/**
 * An answered call this relay holds, from its dialog and the open record the dialog carries
 * (edge-relay/cdr/call-record.ts); a dialog without one (set up before records) shows its ids only.
 *
 * @example
 * liveCallOfDialog(await dialogs.get(callId));
 */
export function liveCallOfDialog(dialog: Dialog): LiveCall {
  let open: OpenCdr | undefined;
  try {
    open = dialog.cdr === undefined ? undefined : (JSON.parse(dialog.cdr) as OpenCdr);
  } catch {
    open = undefined;
  }
  const answering = open?.attempts.find((a) => a.code >= 200 && a.code < 300);
  return {
    call_id: dialog.call_id,
    customer_id: open?.customer_id ?? null,
    ipbx_id: open?.source.kind === 'ipbx' ? open.source.id : null,
    provider_id: answering?.target_kind === 'provider' ? answering.target_id : null,
    from: open?.caller ?? '',
    to: open?.callee ?? '',
    state: 'answered',
    started_at: open?.tm_invite ?? iso(dialog.started_at),
    answered_at: open?.tm_answer ?? iso(dialog.started_at),
  };
}

/**
 * The calls in progress on this relay: its INVITEs not finally answered, then the answered calls
 * it holds (own and adopted), read from the dialog store. A call found in both shows once, as
 * its dialog says.
 *
 * @example
 * const { calls } = await liveCalls(ctx);
 */
export async function liveCalls(ctx: RelayContext): Promise<{ calls: LiveCall[] }> {
  const byId = new Map<string, LiveCall>();
  for (const call of ctx.calls.values()) {
    const live = liveCallOfInvite(call);
    if (live) byId.set(live.call_id, live);
  }
  const held = ctx.held.callIds(ctx.now());
  for (let i = 0; i < held.length; i += READ_BATCH) {
    const dialogs = await Promise.all(
      held.slice(i, i + READ_BATCH).map((id) => ctx.dialogs.get(id).catch(() => undefined)),
    );
    for (const dialog of dialogs) if (dialog) byId.set(dialog.call_id, liveCallOfDialog(dialog));
  }
  return { calls: [...byId.values()] };
}
