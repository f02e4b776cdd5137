/**
 * Types for rtpengine-client 0.4.x (the package ships none), limited to what
 * edge-relay/media uses: the UDP ng-protocol client and its error class.
 * Replies are bencode dictionaries decoded to plain objects; their shape
 * depends on the command, so callers validate them (see ng-client.ts).
 */
declare module 'rtpengine-client' {
  import type { EventEmitter } from 'node:events';

  export type NgDestination = { port: number; host: string };
  export type NgDictionary = Record<string, unknown>;

  export type ClientOptions = {
    /** Local UDP port to bind (0 = any). */
    localPort?: number;
    localAddress?: string;
    /** Per-command reply timeout in ms; 0 waits forever. */
    timeout?: number;
    /** Reject when rtpengine answers `result: error` (we keep it off and read the result). */
    rejectOnError?: boolean;
  };

  /**
   * One UDP socket that can talk to any number of rtpengines: the destination
   * is given on every command. Emits `listening` once bound and `error` for
   * socket errors and late or uncorrelated replies (a listener is required).
   */
  export class Client extends EventEmitter {
    constructor(options?: ClientOptions);
    ping(destination: NgDestination): Promise<NgDictionary>;
    offer(destination: NgDestination, options: NgDictionary): Promise<NgDictionary>;
    answer(destination: NgDestination, options: NgDictionary): Promise<NgDictionary>;
    delete(destination: NgDestination, options: NgDictionary): Promise<NgDictionary>;
    query(destination: NgDestination, options: NgDictionary): Promise<NgDictionary>;
    list(destination: NgDestination, options?: NgDictionary): Promise<NgDictionary>;
    statistics(destination: NgDestination): Promise<NgDictionary>;
    close(): void;
  }

  export class RtpEngineError extends Error {}
}
