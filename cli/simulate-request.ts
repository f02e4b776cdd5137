import { isIP } from 'node:net';
import { usageError } from './errors';

export type SimulateOptions = {
  customer?: string | undefined;
  source?: string | undefined;
  transport?: string | undefined;
  caller?: string | undefined;
  callee?: string | undefined;
  at?: string | undefined;
  seed?: number | undefined;
  down?: string | undefined;
};

/**
 * A source address as `--source` takes it: `ip`, `ip:port`, `[ipv6]:port` or a bare IPv6.
 *
 * @example
 * parseSource('[2001:db8::1]:5080'); // { ip: '2001:db8::1', port: 5080 }
 */
export function parseSource(text: string): { ip: string; port?: number } {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  const v4 = /^([0-9.]+):(\d+)$/.exec(text);
  const [ip, port] = bracketed ? [bracketed[1]!, bracketed[2]] : v4 ? [v4[1]!, v4[2]] : [text, undefined];
  if (!isIP(ip)) throw usageError(`--source ${text}: write an IP address, ip:port or [ipv6]:port`);
  if (port === undefined) return { ip };
  const n = Number(port);
  if (n < 1 || n > 65535) throw usageError(`--source ${text}: the port must be 1–65535`);
  return { ip, port: n };
}

/**
 * The body of `POST /v1/routing/simulate` (docs/api.md, "Routing simulate"): a customer's call
 * (`--customer`) or a call from a source address (`--source`), exactly one.
 */
export function simulateBody(o: SimulateOptions): Record<string, unknown> {
  if (!o.caller || !o.callee) throw usageError('simulate needs --caller and --callee');
  if (Boolean(o.customer) === Boolean(o.source)) {
    throw usageError('simulate needs exactly one of --customer <id> and --source <ip[:port]>');
  }
  if (o.transport && !o.source) throw usageError('--transport goes with --source');
  const down = o.down
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return {
    ...(o.customer
      ? { customer_id: o.customer }
      : { source: { ...parseSource(o.source!), ...(o.transport ? { transport: o.transport } : {}) } }),
    caller: o.caller,
    callee: o.callee,
    ...(o.at ? { at: o.at } : {}),
    ...(o.seed !== undefined ? { seed: o.seed } : {}),
    ...(down?.length ? { down_providers: down } : {}),
  };
}
