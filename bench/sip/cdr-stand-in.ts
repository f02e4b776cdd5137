import { createServer } from 'node:http';

export type CdrStandIn = { readonly url: string; received(): number; close(): Promise<void> };

/**
 * Where the benchmarked relay ships its CDRs: answers `POST /v1/cdrs` with 200 at once. In a
 * deployment ingestion runs in Lambda and DynamoDB, not on the relay's machine; here the bench
 * stack's DynamoDB Local would take the cores the relay is measured on. The relay still spools and
 * fsyncs every record as deployed.
 *
 * @example
 * const cdrs = await startCdrStandIn(); // relay config: { cdr: { url: cdrs.url } }
 */
export async function startCdrStandIn(): Promise<CdrStandIn> {
  let received = 0;
  const server = createServer((request, response) => {
    let records = 0;
    request.on('data', (chunk: Buffer) => {
      // Each record has one call_id: counted without parsing the batch.
      records += chunk.toString('latin1').split('"call_id"').length - 1;
    });
    request.on('end', () => {
      received += records;
      response
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ accepted: records }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/v1/cdrs`,
    received: () => received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
