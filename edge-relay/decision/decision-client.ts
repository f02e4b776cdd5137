import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { type DecideRequest, type DecideResponse, decideResponse } from '../../functions/decision/contract';

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
 * (node:http, a quarter of fetch's CPU per call) and a hard deadline per call
 * (one timer), so a slow decision still lets the relay answer 503 within a
 * second.
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
}): DecisionClient & { close(): void } {
  const url = new URL(options.url);
  const https = url.protocol === 'https:';
  const agentOptions = {
    keepAlive: true,
    maxSockets: options.maxSockets ?? 256,
    scheduling: 'lifo' as const,
  };
  const agent = https ? new HttpsAgent(agentOptions) : new HttpAgent(agentOptions);
  const send = https ? httpsRequest : httpRequest;
  const authorization = `Bearer ${options.token}`;

  function post(body: string): Promise<{ status: number; text: string }> {
    return new Promise((resolve, reject) => {
      // One plain timer per call, cleared on the answer: AbortSignal.timeout costs an abort listener
      // per request and a DOMException when its timer fires, even after the answer came.
      const deadline = setTimeout(() => {
        const error = new Error(`decision timed out after ${options.timeoutMs} ms`);
        error.name = 'TimeoutError';
        req.destroy(error);
      }, options.timeoutMs);
      const fail = (error: Error) => {
        clearTimeout(deadline);
        reject(error);
      };
      const req = send(
        url,
        {
          method: 'POST',
          agent,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            authorization,
          },
        },
        (res: IncomingMessage) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            text += chunk;
          });
          res.on('end', () => {
            clearTimeout(deadline);
            resolve({ status: res.statusCode ?? 0, text });
          });
          res.on('error', fail);
        },
      );
      req.on('error', fail);
      req.end(body);
    });
  }

  return {
    async decide(request) {
      let answer: { status: number; text: string };
      try {
        answer = await post(JSON.stringify(request));
      } catch (error) {
        const timeout =
          error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError');
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
        body = JSON.parse(answer.text);
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
      agent.destroy();
    },
  };
}
