import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import { contextOf, type Io } from '../context';
import { CliError } from '../errors';
import { EXIT } from '../exit-codes';
import { objectView, type Row } from '../format';
import { PAGING_HELP, pageOptions, showList } from '../paging';
import { filterOption, filterQuery, positiveInt, segment } from '../request';
import { CDR_COLUMNS } from '../resources';
import { timeWindow } from '../time-window';

const SEARCH_FILTERS = ['customer_id', 'caller', 'callee', 'provider_id'] as const;
const EXPORT_FILTERS = ['customer_id', 'answered_by'] as const;

const WINDOW_HELP =
  '\nTimes are ISO 8601 (2026-12-05T10:00:00Z) or dates (midnight UTC); --to defaults to now, --from to ' +
  'one day before --to; at most 31 days apart. Numbers with + as they are stored (E.164).';

function windowOptions(command: Command): Command {
  return command.option('--from <time>', 'start, included').option('--to <time>', 'end, excluded');
}

/** The `from` and `to` of `--from` and `--to`, defaulted as WINDOW_HELP says. */
const windowQuery = (options: Record<string, unknown>) =>
  timeWindow(options.from as string | undefined, options.to as string | undefined, new Date());

/** `tandem cdrs search|get|export` (docs/cdrs.md). */
export function addCdrCommands(program: Command, io: Io): void {
  const cdrs = program.command('cdrs').description('call detail records: search, read, export as CSV');

  const search = windowOptions(cdrs.command('search').description('CDRs of a time range, newest first'));
  for (const f of SEARCH_FILTERS) search.option(`--${filterOption(f)} <value>`, `only those with this ${f}`);
  search.option(
    '--final-code <code>',
    'only calls that ended with this SIP code',
    positiveInt('--final-code'),
  );
  pageOptions(search)
    .addHelpText('after', `${WINDOW_HELP}${PAGING_HELP}`)
    .action(async (_o: unknown, cmd: Command) => {
      const ctx = await contextOf(io, cmd);
      const query = {
        ...windowQuery(ctx.options),
        ...filterQuery(SEARCH_FILTERS, ctx.options),
        final_code: ctx.options.finalCode as number | undefined,
      };
      await showList(ctx, '/v1/cdrs', query, CDR_COLUMNS, 'CDRs');
    });

  cdrs
    .command('get <id>')
    .description('one CDR: the call, its attempts and its rating')
    .action(async (id: string, _o: unknown, cmd: Command) => {
      const ctx = await contextOf(io, cmd);
      const cdr = await ctx.api().json<Row>('GET', `/v1/cdrs/${segment(id)}`);
      ctx.print(cdr, () => objectView(cdr));
    });

  const exporter = windowOptions(
    cdrs.command('export').description('CDRs of a time range as CSV (streamed)'),
  );
  for (const f of EXPORT_FILTERS)
    exporter.option(`--${filterOption(f)} <value>`, `only those with this ${f}`);
  exporter
    .option('-o, --output <file>', 'write the CSV to this file (default: stdout)')
    .addHelpText(
      'after',
      `${WINDOW_HELP}\n--answered-by <provider id>: the calls that provider answered (what it bills).`,
    )
    .action(async (_o: unknown, cmd: Command) => {
      const ctx = await contextOf(io, cmd);
      const query = { ...windowQuery(ctx.options), ...filterQuery(EXPORT_FILTERS, ctx.options) };
      const response = await ctx.api().stream('/v1/cdrs/export', query);
      if (!response.body) throw new CliError('the API answered the export without a body', EXIT.unavailable);
      const body = Readable.fromWeb(response.body as import('node:stream/web').ReadableStream<Uint8Array>);
      const output = ctx.options.output as string | undefined;
      let bytes = 0;
      body.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
      });
      if (output) {
        await pipeline(body, createWriteStream(output));
        ctx.note(`wrote ${bytes} bytes to ${output}`);
      } else {
        await pipeline(body, ctx.io.stdout, { end: false });
      }
    });
}
