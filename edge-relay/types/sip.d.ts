/**
 * Types for the parts of the `sip` npm package (0.0.6, plain JavaScript) the
 * relay uses: its parser and serializer. Shapes follow node_modules/sip/sip.js.
 */
declare module 'sip' {
  export type SipParams = Record<string, string | null>;
  export type SipUri = {
    schema: string;
    user?: string;
    password?: string;
    host: string;
    port?: number;
    params: SipParams;
    headers: Record<string, string>;
  };
  /** To, From, Contact entries: the URI stays a string. */
  export type SipAor = { name?: string; uri: string; params: SipParams };
  /** Route / Record-Route entries: the URI is parsed (undefined when sip.js cannot parse it). */
  export type SipRouteEntry = { name?: string; uri: SipUri | string | undefined; params: SipParams };
  export type SipVia = { version: string; protocol: string; host: string; port?: number; params: SipParams };
  export type SipCSeq = { seq: number; method: string };
  export type SipHeaders = {
    via?: SipVia[];
    to?: SipAor;
    from?: SipAor;
    'call-id'?: string;
    cseq?: SipCSeq;
    contact?: SipAor[] | '*';
    route?: SipRouteEntry[];
    'record-route'?: SipRouteEntry[];
    'content-length'?: number;
    [name: string]: unknown;
  };
  export type SipMessage = {
    method?: string;
    uri?: string;
    version?: string;
    status?: number;
    reason?: string;
    headers: SipHeaders;
    content?: string;
  };
  /** Parses one complete message (a latin1 string or a Buffer); undefined when unparsable. */
  export function parse(raw: string | Buffer): SipMessage | undefined;
  export function stringify(message: SipMessage): string;
  export function parseUri(uri: string | SipUri): SipUri | undefined;
  export function stringifyUri(uri: string | SipUri): string;
  export function stringifyAuthHeader(header: Record<string, string>): string;
  export function makeResponse(
    request: SipMessage,
    status: number,
    reason?: string,
    extension?: { headers?: SipHeaders; content?: string },
  ): SipMessage;
  export function copyMessage(message: SipMessage, deep?: boolean): SipMessage;
}
