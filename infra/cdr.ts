import { api } from './api';
import { nodeFunction } from './node-function';
import { secrets } from './secrets';
import { table } from './table';

/** Days a CDR is kept (TANDEM_CDR_RETENTION_DAYS at deploy time; default 400). */
const retentionDays = process.env.TANDEM_CDR_RETENTION_DAYS ?? '400';

/** Where daily spend alerts are POSTed, and their signing key (at deploy time; unset: logged only). */
const alertWebhook = Object.fromEntries(
  (['TANDEM_ALERT_WEBHOOK_URL', 'TANDEM_ALERT_WEBHOOK_SECRET'] as const)
    .filter((name) => process.env[name])
    .map((name) => [name, process.env[name]!]),
);

/**
 * CDR ingestion (`POST /v1/cdrs`, docs/cdrs.md): its own small function, so
 * relays' batches scale apart from API reads and never wait behind a rate
 * import. It needs the table, the relay token, and the Redis version cache
 * (optional) of the snapshot the records are rated with. A batch of 500
 * records is parsed, validated, rated and written in well under a second, its
 * charges one transaction per record (one customer's in sequence); the
 * timeout leaves room for DynamoDB's retries (5 s budget, then 503 +
 * Retry-After) under the HTTP API's 30 s integration limit.
 */
export const cdrFunction = new sst.aws.Function('CdrIngest', {
  ...nodeFunction,
  handler: 'functions/cdr/lambda.handler',
  memory: '512 MB',
  timeout: '15 seconds',
  link: [table, secrets.relayToken, secrets.upstashRedisRestUrl, secrets.upstashRedisRestToken],
  environment: { TANDEM_CDR_RETENTION_DAYS: retentionDays, ...alertWebhook },
});

// A route more specific than `$default`: API Gateway sends the relay's batches here, every
// other /v1/cdrs request (GET: lists, exports) to the API function.
api.route('POST /v1/cdrs', cdrFunction.arn);
