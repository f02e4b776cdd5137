import { Client } from 'rtpengine-client';
import { z } from 'zod';
import type { RtpengineAddress } from '../settings/media-settings';
import { instanceKey } from './instance-pool';
import type { NgBody } from './ng-flags';

/** The ng verbs Tandem uses. */
export type NgCommand = 'ping' | 'offer' | 'answer' | 'delete' | 'query' | 'list' | 'statistics';

const ngReply = z.looseObject({
  result: z.string(),
  'error-reason': z.string().optional(),
  sdp: z.string().optional(),
});
export type NgReply = z.infer<typeof ngReply>;

/** The instance did not answer in time or could not be reached: try another one. */
export class NgUnreachableError extends Error {
  constructor(
    readonly instance: string,
    cause: unknown,
  ) {
    super(`rtpengine ${instance} unreachable: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'NgUnreachableError';
  }
}

export type NgClient = {
  /** Sends one command; rejects with NgUnreachableError on timeout or socket failure, never on `result: error`. */
  send(instance: RtpengineAddress, command: NgCommand, body?: NgBody): Promise<NgReply>;
  close(): void;
};

/**
 * One UDP socket for every rtpengine instance, with a short per-command
 * timeout (an unreachable instance costs `timeoutMs`, then is skipped).
 *
 * @example
 * const ng = await createNgClient({ timeoutMs: 300 });
 * await ng.send({ host: '127.0.0.1', port: 2223 }, 'ping'); // { result: 'pong' }
 */
export async function createNgClient(options: { timeoutMs: number }): Promise<NgClient> {
  const client = new Client({ timeout: options.timeoutMs });
  // Late replies (after a timeout) are reported as 'error' events: expected, not fatal.
  client.on('error', () => {});
  await new Promise<void>((resolve) => client.once('listening', () => resolve()));
  return {
    async send(instance, command, body = {}) {
      const name = instanceKey(instance);
      let reply: unknown;
      try {
        reply =
          command === 'ping' ? await client.ping(instance) : await client[command](instance, { ...body });
      } catch (error) {
        throw new NgUnreachableError(name, error);
      }
      const parsed = ngReply.safeParse(reply);
      if (!parsed.success) throw new NgUnreachableError(name, new Error('malformed ng reply'));
      return parsed.data;
    },
    close: () => client.close(),
  };
}
