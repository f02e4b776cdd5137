import { api } from './api';
import { nodeFunction } from './node-function';
import { secrets } from './secrets';
import { table } from './table';

/** Days a CDR is kept (TANDEM_CDR_RETENTION_DAYS at deploy time; default 400). */
const retentionDays = process.env.TANDEM_CDR_RETENTION_DAYS ?? '400';

/**
 * CDR ingestion (`POST /v1/cdrs`, docs/cdrs.md): its own small function, so
 * relays' batches scale apart from API reads and never wait behind a rate
 * import. It needs the table and the relay token only. A batch of 500 records
 * is parsed, validated and written in well under a second; the timeout leaves
 * room for DynamoDB's retries (5 s budget, then 503 + Retry-After) under the
 * HTTP API's 30 s integration limit.
 */
export const cdrFunction = new sst.aws.Function('CdrIngest', {
  ...nodeFunction,
  handler: 'functions/cdr/lambda.handler',
  memory: '512 MB',
  timeout: '15 seconds',
  link: [table, secrets.relayToken],
  environment: { TANDEM_CDR_RETENTION_DAYS: retentionDays },
});

// A route more specific than `$default`: API Gateway sends the relay's batches here, every
// other /v1/cdrs request (GET: lists, exports) to the API function.
api.route('POST /v1/cdrs', cdrFunction.arn);
