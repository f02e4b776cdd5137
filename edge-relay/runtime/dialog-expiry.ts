import type { Dialog } from '../dialog/dialog';
import { relayBye } from '../proxy/relay-bye';
import { newBranch } from '../sip/branch';
import type { RelayContext } from './context';
import { settleDialog } from './dialog-end';

/** Dialogs ended per check at most; the rest wait for the next one. */
const BATCH = 500;
/** A deadline's check runs this long after it, so the dialog is due when the store is asked. */
const DEADLINE_SLACK_MS = 5;

/**
 * Ends the dialogs whose BYE never came (both ends gone, or a lost BYE) once they outlive
 * TANDEM_DIALOG_TTL_S, and the calls that reach their customer's maximum duration (`ends_at`):
 * sends a BYE to each side, deletes their media session and closes their record as `timeout` or
 * `max_duration`. With Redis any relay of the site may end any dialog, each exactly once
 * (DialogStore.takeExpired).
 *
 * @example
 * const expiry = startDialogExpiry(ctx); // … expiry.stop();
 */
export function startDialogExpiry(ctx: RelayContext): { stop(): void } {
  let running = false;
  /** A check asked for while one ran: it runs once that one is over. */
  let again = false;
  const check = async (): Promise<void> => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      const now = ctx.now();
      for (const dialog of await ctx.dialogs.takeExpired(now, BATCH)) {
        const callId = dialog.call_id;
        ctx.held.release(callId);
        if (dialog.media_instance !== null)
          void ctx.media.delete({ callId, instance: dialog.media_instance });
        ctx.events.emit('call-end', { call_id: callId, ended_at: now, by: 'relay' });
        const reason = dialog.ends_at !== undefined && dialog.ends_at <= now ? 'max_duration' : 'timeout';
        ctx.log.info('call expired', {
          call_id: callId,
          age_s: Math.round((now - dialog.started_at) / 1000),
          reason,
        });
        settleDialog(ctx, dialog, { at: now, by: 'relay', reason });
        byeBothSides(ctx, dialog);
      }
    } catch (error) {
      ctx.log.warn('dialog expiry check failed', { error: String(error) });
    } finally {
      running = false;
    }
    if (again) {
      again = false;
      await check();
    }
  };
  const timer = setInterval(check, ctx.config.dialogs.expiryCheckS * 1000);
  timer.unref();
  // A maximum duration is money (a prepaid call's credit, docs/billing.md): the call's own deadline
  // wakes a check then, instead of waiting up to a period for the next one.
  const deadlines = new Set<NodeJS.Timeout>();
  const onDeadline = (at: number) => {
    const wake = setTimeout(
      () => {
        deadlines.delete(wake);
        void check();
      },
      Math.max(0, at - ctx.now()) + DEADLINE_SLACK_MS,
    );
    wake.unref();
    deadlines.add(wake);
  };
  ctx.events.on('call-deadline', onDeadline);
  return {
    stop: () => {
      clearInterval(timer);
      ctx.events.off('call-deadline', onDeadline);
      for (const wake of deadlines) clearTimeout(wake);
      deadlines.clear();
    },
  };
}

/**
 * A BYE to the caller and one to the callee, each in its own client transaction (retransmitted
 * over UDP, 408 after 64*T1); each side's answer is logged. A side that is gone answers nothing or
 * 481: the call is ended on the relay's side either way.
 */
function byeBothSides(ctx: RelayContext, dialog: Dialog): void {
  for (const toward of ['caller', 'callee'] as const) {
    const { request, hop } = relayBye(dialog, toward, ctx.local, newBranch('0000000000'));
    ctx.transactions.request(request, hop, (response) => {
      if (response.status < 200) return;
      ctx.log.info('expiry bye answered', { call_id: dialog.call_id, toward, status: response.status });
    });
  }
}
