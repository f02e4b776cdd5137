import type { CallEnd } from '../cdr/call-record';
import type { Dialog } from '../dialog/dialog';
import { closeDialogRecord } from './call-record';
import type { RelayContext } from './context';

/**
 * What ends with a dialog, on whichever relay took it (BYE, expiry, maximum duration): the
 * call's admission leases are given back and its record is closed and written.
 */
export function settleDialog(ctx: RelayContext, dialog: Dialog, end: CallEnd): void {
  if (dialog.leases) ctx.admission.release(dialog.leases.member, dialog.leases.keys);
  closeDialogRecord(ctx, dialog, end);
}
