import { basename } from 'node:path';
import type { Command } from 'commander';
import { RATE_COLUMNS } from '../../contract/rate-columns';
import { failureOf } from '../api-client';
import { type Context, contextOf, type Io, readInput } from '../context';
import { CliError, usageError } from '../errors';
import { EXIT } from '../exit-codes';
import { PAGING_HELP, pageOptions, showList } from '../paging';
import { byteProgress } from '../progress';
import { apiUrl } from '../request';
import { uploadCsv } from '../upload';

type Owner = { kind: 'provider' | 'rate_plan'; id: string };
type ImportResult = {
  imported: number;
  provider_id: string | null;
  rate_plan_id: string | null;
  deck_version: string;
};

const ownerName = (o: Owner) => `${o.kind === 'provider' ? 'provider' : 'rate plan'} ${o.id}`;

/** The deck `--provider` or `--rate-plan` names: exactly one. */
function ownerOf(options: Record<string, unknown>): Owner {
  const provider = options.provider as string | undefined;
  const plan = options.ratePlan as string | undefined;
  if (provider && plan) throw usageError('name one deck: --provider or --rate-plan, not both');
  if (provider) return { kind: 'provider', id: provider };
  if (plan) return { kind: 'rate_plan', id: plan };
  throw usageError('name the deck: --provider <id> or --rate-plan <id>');
}

/**
 * Replaces a deck from a CSV file through `POST /v1/rates` (docs/api.md, "Rates"): the upload's
 * progress on stderr when it is a terminal; a refused deck prints the API's error of each line
 * and exits 1, nothing imported.
 */
export async function importDeck(ctx: Context, owner: Owner, file: string): Promise<void> {
  const api = ctx.api();
  const data = await readInput(ctx.io, file);
  const lines = data.reduce((n, byte) => (byte === 0x0a ? n + 1 : n), 0);
  const label = file === '-' ? 'stdin' : basename(file);
  const progress = byteProgress(ctx.io.stderr, data.length, `uploading ${label}`);
  const answer = await uploadCsv({
    url: apiUrl(api.base, '/v1/rates', { [`${owner.kind}_id`]: owner.id }),
    key: ctx.settings.key!,
    data,
    what: `the API at ${api.base}`,
    onProgress: (sent) => {
      progress.update(sent);
      if (sent === data.length && ctx.io.stderr.isTTY) {
        progress.stop();
        ctx.note(`the API is checking and storing ${lines} line(s)…`);
      }
    },
  }).finally(() => progress.stop());
  if (answer.status >= 400) throw failureOf(answer.status, answer.statusText, answer.text);
  let result: ImportResult;
  try {
    result = JSON.parse(answer.text) as ImportResult;
  } catch {
    throw new CliError(`the API answered ${answer.status} with a body that is not JSON`, EXIT.unavailable);
  }
  ctx.print(
    result,
    () =>
      `imported ${result.imported} rate(s) into ${ownerName(owner)} (deck version ${result.deck_version})`,
  );
}

const IMPORT_HELP =
  '\nThe CSV: prefix,rate[,connect_fee,first_increment_s,next_increment_s,minimum_s,effective_from], ' +
  'an optional header line naming the columns (docs/api.md, "Rates"). The deck is replaced as a whole; ' +
  'a bad line refuses the file, each bad line listed, exit code 1.';

/** `tandem rates list|import`: a provider's or a rate plan's deck. */
export function addRateCommands(program: Command, io: Io): void {
  const rates = program
    .command('rates')
    .description("rate decks: a provider's (buy) or a rate plan's (sell)");
  const list = rates
    .command('list')
    .description('list a deck in prefix order')
    .option('--provider <id>', "the provider's deck")
    .option('--rate-plan <id>', "the rate plan's deck")
    .option('--prefix <digits>', 'only prefixes that start with this');
  pageOptions(list)
    .addHelpText('after', PAGING_HELP)
    .action(async (_options: unknown, cmd: Command) => {
      const ctx = await contextOf(io, cmd);
      const owner = ownerOf(ctx.options);
      const query = { [`${owner.kind}_id`]: owner.id, prefix: ctx.options.prefix as string | undefined };
      await showList(ctx, '/v1/rates', query, RATE_COLUMNS, 'rates');
    });
  rates
    .command('import <file>')
    .description('replace a deck from a CSV file (- reads stdin)')
    .option('--provider <id>', "the provider's deck")
    .option('--rate-plan <id>', "the rate plan's deck")
    .addHelpText('after', IMPORT_HELP)
    .action(async (file: string, _options: unknown, cmd: Command) => {
      const ctx = await contextOf(io, cmd);
      await importDeck(ctx, ownerOf(ctx.options), file);
    });
}

/** `tandem rate-plans import <id> <file>`, beside the CRUD commands of rate plans. */
export function addRatePlanImport(ratePlans: Command, io: Io): void {
  ratePlans
    .command('import <id> <file>')
    .description("replace a rate plan's deck from a CSV file (- reads stdin)")
    .addHelpText('after', IMPORT_HELP)
    .action(async (id: string, file: string, _options: unknown, cmd: Command) => {
      const ctx = await contextOf(io, cmd);
      await importDeck(ctx, { kind: 'rate_plan', id }, file);
    });
}
