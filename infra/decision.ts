import { nodeFunction } from './node-function';
import { allSecrets } from './secrets';
import { table } from './table';

/**
 * Warm instances kept for the decision function; 0 (the default) keeps none.
 * `TANDEM_DECISION_PROVISIONED=4 sst deploy --stage prod` keeps four.
 */
const provisioned = Number(process.env.TANDEM_DECISION_PROVISIONED ?? '0');
/** 512 MB suits decks up to ~100k prefixes; give 1769 MB (one full vCPU) to 1M-prefix LCR decks. */
const memory = (process.env.TANDEM_DECISION_MEMORY ?? '512 MB') as `${number} MB`;

/**
 * The routing decision, on the hot path of every call: small, its own
 * function so its memory and warm instances are tuned apart from the API.
 * A relay waits 1 s at most; the longer timeout lets a cold instance finish
 * compiling its tables and serve the retries warm.
 */
export const decision = new sst.aws.Function('Decision', {
  ...nodeFunction,
  handler: 'functions/decision/lambda.handler',
  memory,
  timeout: '10 seconds',
  versioning: true,
  link: [table, ...allSecrets],
});

// AWS attaches provisioned concurrency to a version or alias only, never to
// $LATEST, which SST's `url: true` invokes. So the URL targets the alias `live`,
// which follows each deployed version and carries the warm instances.
const live = new aws.lambda.Alias('DecisionLive', {
  name: 'live',
  functionName: decision.name,
  functionVersion: decision.nodes.function.version,
});

if (provisioned > 0) {
  new aws.lambda.ProvisionedConcurrencyConfig('DecisionProvisioned', {
    functionName: decision.name,
    qualifier: live.name,
    provisionedConcurrentExecutions: provisioned,
  });
}

const url = new aws.lambda.FunctionUrl('DecisionUrl', {
  functionName: decision.name,
  qualifier: live.name,
  // The relay authenticates with the RelayToken secret (Authorization: Bearer).
  authorizationType: 'NONE',
});

new aws.lambda.Permission('DecisionUrlAccess', {
  action: 'lambda:InvokeFunctionUrl',
  function: decision.name,
  qualifier: live.name,
  principal: '*',
  functionUrlAuthType: 'NONE',
});

new aws.lambda.Permission('DecisionUrlInvoke', {
  action: 'lambda:InvokeFunction',
  function: decision.name,
  qualifier: live.name,
  principal: '*',
  invokedViaFunctionUrl: true,
});

/** The URL relays post to (`TANDEM_DECISION_URL` in relay.env). */
export const decisionUrl = url.functionUrl;
