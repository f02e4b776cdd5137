import { lambdaFiles } from './build/lambdas';
import { nodeFunction } from './node-function';
import { allSecrets } from './secrets';
import { table } from './table';

/**
 * The configuration API (REST, OpenAPI, CDR reads and exports): the Hono app of
 * functions/api behind an HTTP API, which adds custom domains, throttling and
 * access logs. Memory for 100k-line rate deck imports within the timeout.
 * `POST /v1/cdrs` goes to the CDR function instead (infra/cdr.ts).
 */
export const apiFunction = new sst.aws.Function('ApiFunction', {
  ...nodeFunction,
  handler: 'functions/api/lambda.handler',
  memory: '1024 MB',
  timeout: '30 seconds',
  link: [table, ...allSecrets],
  // Swagger UI's assets for /docs, served by the function itself (no CDN).
  copyFiles: lambdaFiles.api,
});

export const api = new sst.aws.ApiGatewayV2('Api');
api.route('$default', apiFunction.arn);
