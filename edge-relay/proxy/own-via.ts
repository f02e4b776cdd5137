import type { Transport } from '../../contract/peer';
import {
  listValues,
  type SipMessage,
  type SipRequest,
  withFirstListValue,
  withoutFirstListValue,
  withPrepended,
} from '../sip/message';
import { type LocalAddress, ownHosts, portFor } from '../sip/route';
import { sipHost } from '../sip/uri';
import { parseVia, type Via } from '../sip/via';

/** Our Via for a request leaving on `transport` (rport asked, RFC 3581). */
export function ownVia(local: LocalAddress, transport: Transport, branch: string): string {
  return `SIP/2.0/${transport.toUpperCase()} ${sipHost(local.host)}:${portFor(local, transport)};branch=${branch};rport`;
}

export function withOwnVia(request: SipRequest, local: LocalAddress, transport: Transport, branch: string) {
  return withPrepended(request, 'Via', [ownVia(local, transport, branch)]);
}

/** True when a Via was written by this relay (sent-by is one of our addresses and ports). */
export function isOwnVia(local: LocalAddress, via: Via): boolean {
  return (
    ownHosts(local).includes(via.host.toLowerCase()) &&
    [local.ports.udp, local.ports.tcp, local.ports.tls].includes(via.port ?? 5060)
  );
}

export function vias(message: SipMessage): Via[] {
  return listValues(message, 'via')
    .map(parseVia)
    .filter((v): v is Via => v !== undefined);
}

/** A response as forwarded upstream: our top Via removed (RFC 3261 §16.7 step 9). */
export function popVia<M extends SipMessage>(message: M): M {
  return withoutFirstListValue(message, 'via');
}

/** Replaces the top Via element (the one a server stamps with received/rport). */
export function withTopVia<M extends SipMessage>(message: M, value: string): M {
  return withFirstListValue(message, 'via', value);
}
