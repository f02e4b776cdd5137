import { lambdaFiles } from './build/lambdas';
import { nodeFunction } from './node-function';
import { allSecrets } from './secrets';
import { table } from './table';

/** Days an audit event is kept (TANDEM_AUDIT_RETENTION_DAYS at deploy time; default 400). */
const auditRetentionDays = process.env.TANDEM_AUDIT_RETENTION_DAYS ?? '400';
/**
 * `?token=` on the VoIPBIN-compatible paths (TANDEM_API_TOKEN_IN_QUERY=true at deploy time; off by
 * default: tokens in URLs end up in logs, docs/voipbin-compat.md).
 */
const tokenInQuery: Record<string, string> =
  process.env.TANDEM_API_TOKEN_IN_QUERY === 'true' ? { TANDEM_API_TOKEN_IN_QUERY: 'true' } : {};

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
  // Configuration writes record their audit events here (docs/audit.md).
  environment: { TANDEM_AUDIT_RETENTION_DAYS: auditRetentionDays, ...tokenInQuery },
  // Swagger UI's assets for /docs, served by the function itself (no CDN).
  copyFiles: lambdaFiles.api,
});

export const api = new sst.aws.ApiGatewayV2('Api');
api.route('$default', apiFunction.arn);
