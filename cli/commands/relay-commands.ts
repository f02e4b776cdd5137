import type { Command } from 'commander';
import { answerJson, bearer, send } from '../api-client';
import { contextOf, type Io } from '../context';
import { usageError } from '../errors';
import { type LiveCall, liveCallsView } from '../relay-calls';
import { baseUrl } from '../request';

/** `tandem calls`: the calls in progress on one relay, from its HTTP endpoint. */
export function addRelayCommands(program: Command, io: Io): void {
  program
    .command('calls')
    .description("calls in progress on a relay (its HTTP endpoint's GET /calls)")
    .option('--relay <url>', 'the relay HTTP endpoint, e.g. http://10.0.0.5:9060 (TANDEM_RELAY_URL)')
    .option('--relay-token <token>', "the relay's token (TANDEM_RELAY_TOKEN)")
    .addHelpText(
      'after',
      '\nThe relay serves its HTTP endpoint when TANDEM_RELAY_HTTP_PORT is set; it asks for the relay token.',
    )
    .action(async (_o: unknown, cmd: Command) => {
      const ctx = await contextOf(io, cmd);
      const { relayUrl, relayToken } = ctx.settings;
      if (!relayUrl) throw usageError('no relay: pass --relay <url> or set TANDEM_RELAY_URL');
      const base = baseUrl(relayUrl, 'the relay URL');
      const what = `the relay at ${base}`;
      const response = await send(
        `${base}/calls`,
        {
          headers: {
            accept: 'application/json',
            ...(relayToken ? { authorization: bearer(relayToken, 'the relay token') } : {}),
          },
        },
        what,
        ctx.options.timeout * 1000,
      );
      const answer = await answerJson<{ calls: LiveCall[] }>(response, what);
      ctx.print(answer, () => liveCallsView(answer.calls, new Date()));
    });
}
