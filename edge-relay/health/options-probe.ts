import type { HealthTarget } from '../../contract/health';
import { ownVia } from '../proxy/own-via';
import { newBranch } from '../sip/branch';
import { defaultSipPort } from '../sip/default-port';
import type { SipRequest, SipResponse } from '../sip/message';
import { randomHex } from '../sip/random-id';
import { type LocalAddress, portFor } from '../sip/route';
import { parseUri, sipHost } from '../sip/uri';
import type { Destination } from '../transport/sip-transport';

/** Sends a request in a client transaction (the relay's `Transactions.request`). */
export type SendRequest = (
  request: SipRequest,
  to: Destination,
  onResponse: (response: SipResponse) => void,
) => void;

/**
 * The OPTIONS that probes one target, built from scratch like the relay's own BYE: a new branch,
 * Max-Forwards 70, a From tag and a Call-ID of its own per probe, CSeq 1. It goes to the target's
 * URI host and port over the target's transport (with the target's TLS policy). Undefined when the
 * URI names no host (a target that cannot be probed: its probes count as failed).
 *
 * @example
 * optionsProbe(target, local)?.request.method; // 'OPTIONS'
 */
export function optionsProbe(
  target: HealthTarget,
  local: LocalAddress,
): { request: SipRequest; to: Destination } | undefined {
  const uri = parseUri(target.uri);
  if (!uri || uri.scheme === 'tel' || !uri.host) return undefined;
  const { transport } = target;
  const to: Destination = {
    transport,
    host: uri.host,
    port: uri.port ?? defaultSipPort(transport === 'tls'),
    ...(target.tls ? { tls: target.tls } : {}),
  };
  const host = sipHost(local.host);
  const param = transport === 'udp' ? '' : `;transport=${transport}`;
  const lines: [string, string][] = [
    ['Via', ownVia(local, transport, newBranch('0000000000'))],
    ['Max-Forwards', '70'],
    ['From', `<sip:tandem@${host}>;tag=${randomHex(8)}`],
    ['To', `<${target.uri}>`],
    ['Call-ID', `${randomHex(12)}@${host}`],
    ['CSeq', '1 OPTIONS'],
    ['Contact', `<sip:${host}:${portFor(local, transport)}${param}>`],
    ['Content-Length', '0'],
  ];
  return {
    request: {
      type: 'request',
      method: 'OPTIONS',
      uri: target.uri,
      headers: lines.map(([name, value]) => ({ key: name.toLowerCase(), name, value })),
      body: '',
    },
    to,
  };
}

/**
 * One probe: the final code of the OPTIONS, or null when none came within `timeout_ms` (an answer
 * after that is ignored: the probe has failed). A final the relay makes itself (503 when the
 * target cannot be reached, 408 at Timer F) is a code like any other, and fails unless
 * `alive_codes` holds it; Timer F (64×T1) comes long after any sane `timeout_ms`.
 *
 * @example
 * await probeTarget((req, to, cb) => transactions.request(req, to, cb), target, local); // 200 | null
 */
export function probeTarget(
  send: SendRequest,
  target: HealthTarget,
  local: LocalAddress,
): Promise<number | null> {
  const built = optionsProbe(target, local);
  if (!built) return Promise.resolve(null);
  return new Promise((resolve) => {
    let settled = false;
    const timer = setTimeout(() => {
      settled = true;
      resolve(null);
    }, target.timeout_ms);
    timer.unref();
    try {
      send(built.request, built.to, (response) => {
        if (settled || response.status < 200) return;
        settled = true;
        clearTimeout(timer);
        resolve(response.status);
      });
    } catch {
      // A send that throws (a closed transport) is a probe without an answer.
      settled = true;
      clearTimeout(timer);
      resolve(null);
    }
  });
}
