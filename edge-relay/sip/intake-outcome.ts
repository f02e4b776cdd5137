import type { SipMessage } from './message';

export type { Remote } from './remote';

/**
 * What the transport does with what it received: hand a valid message to the
 * proxy, send `raw` back to the remote as is, or log the drop reason.
 */
export type IntakeResult =
  | { kind: 'message'; message: SipMessage }
  | { kind: 'reply'; raw: string }
  | { kind: 'drop'; reason: string };

export type IntakeOptions = {
  /** Larger input is dropped unread (default 65,535 bytes: the largest UDP datagram). */
  maxMessageBytes?: number;
  /** Proxy-Require option tags the relay supports (default none: every Proxy-Require gets 420). */
  supportedProxyRequire?: readonly string[];
};
