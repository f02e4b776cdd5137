import { type DecideRequest, type DecideResponse, decideResponse } from '../../contract/decide';
import { createHttp1Pool, type HttpAnswer } from './http1-pool';

export type DecisionClient = { decide(request: DecideRequest): Promise<DecideResponse> };

/** Why the decision could not answer; the relay turns every one into 503 + Retry-After. */
export class DecisionUnavailableError extends Error {
  readonly sipStatus = 503;
  constructor(
    message: string,
    readonly httpStatus?: number,
  ) {
    super(message);
    this.name = 'DecisionUnavailableError';
  }
}

/**
 * HTTP client of `POST /v1/routing/decide`: pooled keep-alive connections
 * (http1-pool.ts: a hand-written HTTP/1.1 client, a fraction of node:http's CPU
 * per call) and a hard deadline per call, so a slow decision still lets the
 * relay answer 503 within a second. The answer is checked against the
 * contract (zod) before the relay acts on it.
 *
 * @example
 * const client = createDecisionClient({ url: 'http://127.0.0.1:8080/v1/routing/decide', token, timeoutMs: 800 });
 * const decision = await client.decide(request);
 */
export function createDecisionClient(options: {
  url: string;
  token: string;
  timeoutMs: number;
  maxSockets?: number;
  /** Idle connections older than this are not reused (keep it under the server's keep-alive timeout). */
  idleMs?: number;
  /** PEM of a private CA trusted for an https URL (besides the system's). */
  ca?: string;
}): DecisionClient & { close(): void } {
  const pool = createHttp1Pool({
    url: new URL(options.url),
    headers: { Authorization: `Bearer ${options.token}` },
    timeoutMs: options.timeoutMs,
    maxSockets: options.maxSockets ?? 256,
    ...(options.idleMs !== undefined ? { idleMs: options.idleMs } : {}),
    ...(options.ca ? { ca: options.ca } : {}),
  });

  return {
    async decide(request) {
      let answer: HttpAnswer;
      try {
        answer = await pool.post(JSON.stringify(request));
      } catch (error) {
        const timeout = error instanceof Error && error.name === 'TimeoutError';
        throw new DecisionUnavailableError(
          timeout
            ? `decision timed out after ${options.timeoutMs} ms`
            : `decision unreachable: ${String(error)}`,
        );
      }
      if (answer.status < 200 || answer.status >= 300) {
        throw new DecisionUnavailableError(`decision answered ${answer.status}`, answer.status);
      }
      let body: unknown;
      try {
        body = JSON.parse(answer.body);
      } catch {
        throw new DecisionUnavailableError(`decision answered ${answer.status} without JSON`, answer.status);
      }
      const parsed = decideResponse.safeParse(body);
      if (!parsed.success) {
        throw new DecisionUnavailableError('decision answer does not match the contract', answer.status);
      }
      return parsed.data;
    },
    close() {
      pool.close();
    },
  };
}
