import { Command, Option } from 'commander';
import { addAuditCommands } from './commands/audit-commands';
import { addBalanceCommands } from './commands/balance-commands';
import { addCallCommands } from './commands/call-commands';
import { addCdrCommands } from './commands/cdr-commands';
import { addConfigCommands } from './commands/config-commands';
import { addRateCommands, addRatePlanImport } from './commands/rate-commands';
import { addRelayCommands } from './commands/relay-commands';
import { addResourceCommand } from './commands/resource-commands';
import { bashCompletion, zshCompletion } from './completion';
import type { Io } from './context';
import { usageError } from './errors';
import { RESOURCES } from './resources';

const seconds = (text: string) => {
  const n = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || n <= 0)
    throw usageError(`--timeout must be seconds > 0, not ${JSON.stringify(text)}`);
  return n;
};

const EPILOG = `
Settings: --url/--key, else TANDEM_URL/TANDEM_KEY, else the config file (tandem config --help);
the URL defaults to the local stack, http://127.0.0.1:8080.
Exit codes: 0 ok, 1 refused by the API (400…) or a bad import, 2 usage, 3 not found (404),
4 not allowed (401, 403), 5 conflict (409), 6 unreachable or 5xx. See docs/operations.md.`;

/**
 * The `tandem` command tree. Errors are not printed or exited on here: commander's own are
 * thrown (exitOverride) for main() to map to an exit code.
 *
 * @example
 * await buildProgram(io).parseAsync(['node', 'tandem', 'customers', 'list']);
 */
export function buildProgram(io: Io): Command {
  const program = new Command('tandem')
    .description(
      "Tandem from the command line: the configuration API, rate decks, CDRs, a relay's live calls",
    )
    .version('0.1.0')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    })
    .showHelpAfterError('(add --help for usage)')
    .option('--url <url>', 'the API, e.g. https://api.example (TANDEM_URL)')
    .option('--key <key>', 'an API key: the operator key or a customer key (TANDEM_KEY)')
    .option('--profile <name>', 'a profile of the config file (TANDEM_PROFILE)')
    .option('--json', "print the API's JSON instead of a table")
    .addOption(
      new Option('--timeout <seconds>', 'how long a request may take').argParser(seconds).default(30),
    )
    .addHelpText('after', EPILOG);

  const commands = new Map(RESOURCES.map((spec) => [spec.path, addResourceCommand(program, io, spec)]));
  addRatePlanImport(commands.get('rate-plans')!, io);
  addRateCommands(program, io);
  addCdrCommands(program, io);
  addAuditCommands(program, io);
  addCallCommands(program, io, commands.get('providers')!);
  addBalanceCommands(commands.get('customers')!, io);
  addRelayCommands(program, io);
  addConfigCommands(program, io);
  program
    .command('completion')
    .description('print a shell completion script')
    .addArgument(program.createArgument('<shell>', 'bash or zsh').choices(['bash', 'zsh']))
    .addHelpText(
      'after',
      '\nbash: source <(tandem completion bash), or save it in ~/.local/share/bash-completion/completions/tandem\n' +
        'zsh:  source <(tandem completion zsh) in ~/.zshrc',
    )
    .action((shell: 'bash' | 'zsh') => {
      io.stdout.write(shell === 'bash' ? bashCompletion(program) : zshCompletion(program));
    });
  return program;
}
