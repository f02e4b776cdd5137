import { createHash } from 'node:crypto';
import { header, headers, type SipRequest } from './message';
import { randomHex } from './random-id';
import { tagOf } from './uri';
import type { Via } from './via';

const MAGIC = 'z9hG4bK';

/**
 * A new branch: the RFC 3261 magic cookie, the request's loop-detection hash
 * (§16.6 step 8) and 64 random bits from the OS CSPRNG, so branches never
 * repeat and the relay recognises its own Via on a loop.
 *
 * @example
 * newBranch('4f1a2b3c4d'); // 'z9hG4bK4f1a2b3c4d.9c0e...'
 */
export function newBranch(loop: string): string {
  return `${MAGIC}${loop}.${randomHex(8)}`;
}

/** Hash of what identifies a request's routing (§16.6 step 8): a loop repeats it, a spiral does not. */
export function loopHash(request: SipRequest): string {
  const parts = [
    request.uri,
    tagOf(header(request, 'from')) ?? '',
    tagOf(header(request, 'to')) ?? '',
    header(request, 'call-id') ?? '',
    (header(request, 'cseq') ?? '').split(/\s+/)[0] ?? '',
    headers(request, 'proxy-require').join(','),
    headers(request, 'proxy-authorization').join(','),
    headers(request, 'route').join(','),
  ];
  // One update of the joined text (same bytes as one update per part and newline): a hash call per INVITE.
  return createHash('sha256')
    .update(`${parts.join('\n')}\n`)
    .digest('hex')
    .slice(0, 10);
}

/**
 * True when one of the Vias is ours and carries this request's loop hash:
 * the request came back unchanged, a loop (482). Ours with another hash is a
 * spiral and fine.
 */
export function isLoop(vias: readonly Via[], loop: string, isOwn: (via: Via) => boolean): boolean {
  return vias.some((via) => isOwn(via) && via.params['branch']?.startsWith(`${MAGIC}${loop}.`) === true);
}

export function isRfc3261Branch(branch: string | null | undefined): branch is string {
  return typeof branch === 'string' && branch.startsWith(MAGIC);
}
