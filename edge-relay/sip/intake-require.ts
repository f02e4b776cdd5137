import { header, type SipMessage } from './message';
import { optionTags } from './sip-grammar';

/**
 * Require option tags the relay does not support, for a request the relay
 * answers itself (OPTIONS to the relay): a non-empty result means 420 Bad
 * Extension with `Unsupported: <tags>`. Proxied requests are not checked:
 * Require is for the UAS (RFC 3261 16.3); Proxy-Require is answered by intake.
 *
 * @example
 * const tags = unsupportedRequire(message, ['timer']);
 * if (tags.length > 0) reply(420, 'Bad Extension', [`Unsupported: ${tags.join(', ')}`]);
 */
export function unsupportedRequire(message: SipMessage, supported: readonly string[] = []): string[] {
  if (message.type !== 'request' || message.method === 'ACK' || message.method === 'CANCEL') return [];
  const value = header(message, 'require');
  if (value === undefined) return [];
  const known = new Set(supported.map((t) => t.toLowerCase()));
  return optionTags(value).filter((tag) => !known.has(tag.toLowerCase()));
}
