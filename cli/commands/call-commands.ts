import { type Command, Option } from 'commander';
import { contextOf, type Io } from '../context';
import { usageError } from '../errors';
import { cell, type Row, table } from '../format';
import { segment } from '../request';
import { type SimulateOptions, simulateBody } from '../simulate-request';
import { type SimulateAnswer, simulateView } from '../simulate-view';

const integer = (text: string) => {
  if (!/^-?\d{1,15}$/.test(text))
    throw usageError(`--seed must be a whole number, not ${JSON.stringify(text)}`);
  return Number(text);
};

/** `tandem simulate` and `tandem providers status`: where a call would go, and whether it can. */
export function addCallCommands(program: Command, io: Io, providers: Command): void {
  program
    .command('simulate')
    .description('which targets a call would try, in order, and every candidate skipped with its reason')
    .option('--customer <id>', "a customer's call (numbers in E.164)")
    .option('--source <ip[:port]>', 'a call from this address (numbers as the source writes them)')
    .addOption(new Option('--transport <transport>', 'the source transport').choices(['udp', 'tcp', 'tls']))
    .requiredOption('--caller <number>', 'the calling number')
    .requiredOption('--callee <number>', 'the called number')
    .option('--at <time>', 'when the call happens (ISO 8601; time windows), default now')
    .option('--seed <n>', 'seed of the weighted draw, for a repeatable answer', integer)
    .option('--down <ids>', 'provider ids taken as held down (comma-separated)')
    .addHelpText(
      'after',
      '\nExit code 0 whatever the decision (route, reject, challenge): the simulation ran.',
    )
    .action(async (_o: unknown, cmd: Command) => {
      const ctx = await contextOf(io, cmd);
      const answer = await ctx.api().json<SimulateAnswer>('POST', '/v1/routing/simulate', {
        body: simulateBody(ctx.options as SimulateOptions),
      });
      ctx.print(answer, () => simulateView(answer));
    });

  providers
    .command('status <id>')
    .description("a provider's health as each relay site reports it")
    .action(async (id: string, _o: unknown, cmd: Command) => {
      const ctx = await contextOf(io, cmd);
      const status = await ctx
        .api()
        .json<{ provider_id: string; sites: Row[] }>('GET', `/v1/providers/${segment(id)}/status`);
      ctx.print(status, () => {
        if (!status.sites.length) return `provider ${status.provider_id}: no site has reported it`;
        const columns = ['site', 'state', 'since', 'down_by', 'stale', 'reported_at', 'relay_id'];
        return `provider ${status.provider_id}\n${table(
          columns,
          status.sites.map((s) => columns.map((c) => cell(s[c]))),
        )}`;
      });
    });
}
