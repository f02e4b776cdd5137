/** The port a SIP URI or Via without one stands for (RFC 3261 §19.1.2): 5061 over TLS, else 5060. */
export function defaultSipPort(overTls: boolean): number {
  return overTls ? 5061 : 5060;
}
