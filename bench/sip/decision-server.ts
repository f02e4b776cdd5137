/**
 * The API and the decision as their own process for the benchmarks, as they
 * run deployed (a Lambda, or `npm start`'s node server), not inside the
 * harness: the harness's own work (sampling /proc, reading sipp's files, its
 * TypeScript loader) then never delays a decide, and the decision's CPU is
 * measured apart. argv[2]: the startLocalStack config as JSON, with the
 * endpoint of the DynamoDB Local the harness started. Stops on SIGTERM.
 */
import { type LocalStackConfig, startLocalStack } from '../../local/local-stack';

const stack = await startLocalStack(JSON.parse(process.argv[2] ?? '{}') as LocalStackConfig);
process.once('SIGTERM', () => {
  void stack.stop().then(() => process.exit(0));
});
