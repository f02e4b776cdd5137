import { defaultSipPort } from './default-port';
import { memoByText } from './memo';
import { bareHost } from './uri';

/** One Via element: `SIP/2.0/UDP host:port;branch=z9hG4bK...;rport`. */
export type Via = {
  transport: string;
  host: string;
  port: number | undefined;
  params: Record<string, string | null>;
};

/**
 * Parsed once per distinct text (memo.ts): a proxy reads the same top Via several times per
 * message (transaction key, received/rport, response address, loop check). Callers copy before
 * they change one (stampReceived).
 */
export const parseVia = memoByText(parseViaUncached);

function parseViaUncached(value: string): Via | undefined {
  const m =
    /^SIP\s*\/\s*2\.0\s*\/\s*([A-Za-z]+)\s+(\[[0-9a-fA-F:.]+\]|[^\s:;]+)(?:\s*:\s*(\d{1,5}))?\s*((?:;.*)?)$/.exec(
      value.trim(),
    );
  if (!m) return undefined;
  const params: Record<string, string | null> = {};
  for (const part of (m[4] ?? '').split(';')) {
    const p = part.trim();
    if (!p) continue;
    const eq = p.indexOf('=');
    if (eq < 0) params[p.toLowerCase()] = null;
    else params[p.slice(0, eq).trim().toLowerCase()] = p.slice(eq + 1).trim();
  }
  return { transport: m[1]!.toUpperCase(), host: m[2]!, port: m[3] ? Number(m[3]) : undefined, params };
}

export function formatVia(via: Via): string {
  const params = Object.entries(via.params)
    .map(([k, v]) => (v === null ? `;${k}` : `;${k}=${v}`))
    .join('');
  return `SIP/2.0/${via.transport} ${via.host}${via.port !== undefined ? `:${via.port}` : ''}${params}`;
}

/**
 * Where a response to this Via goes (RFC 3261 §18.2.2, RFC 3581): `received`
 * and `rport` win over sent-by.
 */
export function responseAddress(via: Via): { address: string; port: number } {
  const address = bareHost(via.params['received'] ?? via.host);
  const rport = via.params['rport'];
  const port = rport ? Number(rport) : (via.port ?? defaultSipPort(via.transport === 'TLS'));
  return { address, port };
}

/** Stamps `received` and `rport` on a request's top Via as a server must (RFC 3581 always filled). */
export function stampReceived(via: Via, source: { address: string; port: number }): Via {
  const received = bareHost(via.host) !== source.address;
  const rport = 'rport' in via.params;
  // Nothing to add: the same Via (callers then keep the header line as it is).
  if (!received && !rport) return via;
  const params = { ...via.params };
  if (received) params['received'] = source.address;
  if (rport) params['rport'] = String(source.port);
  return { ...via, params };
}
