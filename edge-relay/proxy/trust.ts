import { headerKey, type SipHeader, type SipRequest } from '../sip/message';

/**
 * What the relay trusts, on every request it forwards (initial INVITE and in-dialog, both
 * directions):
 *
 * - Credentials. The relay is the only party that challenges callers (407, its own realm), and
 *   it answers the targets' challenges itself (auth-retry.ts, with the target's HA1). So every
 *   `Proxy-Authorization` a request arrives with was answered to the relay (RFC 3261 §22.3: the
 *   proxy consumes the credentials of its realm): it is removed, whichever side sent it, and the
 *   next hop sees only the credentials the relay itself adds for it (retryRequest). A CANCEL or a
 *   non-2xx ACK the relay sends is its own new request (transaction/build.ts) and carries none.
 *   `Authorization` (a UAS's 401 realm, never the relay's) passes end to end.
 * - Identity (RFC 3325 §5). No peer is in the relay's trust domain: `P-Asserted-Identity`,
 *   `P-Preferred-Identity` and `Remote-Party-ID` are claims of an untrusted party and never
 *   forwarded as received. The decision, which identified and authenticated the caller, is the
 *   only source of identity: its target headers set them on the INVITE toward the callee, and
 *   in that dialog a request toward the callee that carries one of the identity headers the
 *   decision set gets the decision's value instead (never the sender's); every other identity
 *   header is removed, and toward the caller they are all removed (the decision set nothing for
 *   that direction).
 */
export const IDENTITY_HEADERS: ReadonlySet<string> = new Set([
  'p-asserted-identity',
  'p-preferred-identity',
  'remote-party-id',
]);

/** Headers of a received request that are never forwarded as they came. */
export const UNTRUSTED_HEADERS: ReadonlySet<string> = new Set(['proxy-authorization', ...IDENTITY_HEADERS]);

/**
 * The identity headers among a target's headers (the decision's), as stored with the dialog;
 * undefined when there are none.
 *
 * @example
 * assertedIdentity({ 'P-Asserted-Identity': '<sip:+1415@carrier>', Privacy: 'id' }); // { 'P-Asserted-Identity': '<sip:+1415@carrier>' }
 */
export function assertedIdentity(
  headers: Readonly<Record<string, string>>,
): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  let found = false;
  for (const name in headers) {
    if (!IDENTITY_HEADERS.has(headerKey(name))) continue;
    out[name] = headers[name]!;
    found = true;
  }
  return found ? out : undefined;
}

/**
 * A received in-dialog request as it may be forwarded: credentials and untrusted identity
 * removed, an identity header the decision set for this dialog (`asserted`, toward the callee
 * only) given the decision's value. The request itself when it has none of these (no copy).
 *
 * @example
 * trustedInDialog(bye, dialog.asserted_identity); // BYE without Proxy-Authorization, P-Preferred-Identity...
 */
export function trustedInDialog(
  request: SipRequest,
  asserted: Readonly<Record<string, string>> | undefined,
): SipRequest {
  if (!request.headers.some((h) => UNTRUSTED_HEADERS.has(h.key))) return request;
  const out: SipHeader[] = [];
  const done: string[] = [];
  for (const h of request.headers) {
    if (!UNTRUSTED_HEADERS.has(h.key)) {
      out.push(h);
      continue;
    }
    if (!asserted || h.key === 'proxy-authorization' || done.includes(h.key)) continue;
    for (const name in asserted) {
      if (headerKey(name) !== h.key) continue;
      out.push({ key: h.key, name: h.name, value: asserted[name]! });
      done.push(h.key);
      break;
    }
  }
  return { ...request, headers: out };
}
