// Runs one Lambda bundle the way the Node.js runtime does: import the module
// (the INIT phase, timed), then call `handler(event, context)` once per event.
// Events come as a JSON array on stdin; one JSON line with the results goes to stdout.
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';

const bundle = process.argv[2];
let input = '';
for await (const chunk of process.stdin) input += chunk;
const events = JSON.parse(input || '[]');

const started = performance.now();
const cpu = process.cpuUsage();
const { handler } = await import(pathToFileURL(bundle).href);
const initMs = performance.now() - started;
// CPU time of the import: what init costs without other processes competing for the cores.
const used = process.cpuUsage(cpu);
const initCpuMs = (used.user + used.system) / 1000;

const results = [];
for (const [index, event] of events.entries()) {
  const deadline = Date.now() + 10_000;
  const context = {
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:eu-west-1:123456789012:function:${process.env.AWS_LAMBDA_FUNCTION_NAME}`,
    memoryLimitInMB: '512',
    awsRequestId: `request-${index}`,
    logGroupName: `/aws/lambda/${process.env.AWS_LAMBDA_FUNCTION_NAME}`,
    logStreamName: '2026/01/01/[$LATEST]0123456789abcdef',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => deadline - Date.now(),
    done() {},
    fail() {},
    succeed() {},
  };
  const t = performance.now();
  const response = await handler(event, context);
  results.push({ ms: performance.now() - t, response });
}
// Exit once the line is written: a pipe takes a large answer in several writes, and exiting earlier cuts it.
// Open sockets (keep-alive clients) would keep a real runtime frozen, not running: exit like one.
process.stdout.write(`${JSON.stringify({ initMs, initCpuMs, results })}\n`, () => process.exit(0));
