import http from 'node:http';
import https from 'node:https';
import { bearer, USER_AGENT } from './api-client';
import { CliError } from './errors';
import { EXIT } from './exit-codes';

/** Bytes handed to the socket per write: progress moves in steps of this size. */
const CHUNK = 256 * 1024;

export type UploadAnswer = { status: number; statusText: string; text: string };

/**
 * POSTs `data` as `text/csv` with its length, reporting each chunk once the socket has taken it
 * (`fetch` cannot report an upload's progress). An answer that comes before the body is sent (a
 * 413, a 401) ends the upload.
 */
export function uploadCsv(options: {
  url: string;
  key: string;
  data: Buffer;
  what: string;
  onProgress?: (sent: number) => void;
}): Promise<UploadAnswer> {
  const url = new URL(options.url);
  const transport = url.protocol === 'https:' ? https : http;
  return new Promise<UploadAnswer>((resolve, reject) => {
    let settled = false;
    const request = transport.request(
      url,
      {
        method: 'POST',
        headers: {
          authorization: bearer(options.key, 'the API key'),
          'content-type': 'text/csv',
          'content-length': options.data.length,
          accept: 'application/json',
          'user-agent': USER_AGENT,
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (c: Buffer) => chunks.push(c));
        response.on('end', () => {
          settled = true;
          resolve({
            status: response.statusCode ?? 0,
            statusText: response.statusMessage ?? '',
            text: Buffer.concat(chunks).toString('utf8'),
          });
        });
        response.on('error', (error) => fail(error));
      },
    );
    const fail = (error: Error & { code?: string }) => {
      if (settled) return;
      settled = true;
      reject(new CliError(`cannot reach ${options.what}: ${error.code ?? error.message}`, EXIT.unavailable));
    };
    request.on('error', fail);
    let offset = 0;
    const writeMore = () => {
      while (offset < options.data.length && !settled) {
        const end = Math.min(offset + CHUNK, options.data.length);
        const more = request.write(options.data.subarray(offset, end), () => options.onProgress?.(end));
        offset = end;
        if (!more) {
          request.once('drain', writeMore);
          return;
        }
      }
      request.end();
    };
    writeMore();
  });
}
