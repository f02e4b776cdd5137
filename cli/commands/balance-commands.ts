import type { Command } from 'commander';
import { contextOf, type Io } from '../context';
import { objectView, type Row } from '../format';
import { positiveInt, segment } from '../request';

/** `tandem customers balance|credit`: a customer's prepaid balance (docs/billing.md). */
export function addBalanceCommands(customers: Command, io: Io): void {
  customers
    .command('balance <id>')
    .description("a customer's balance, held credit, spend of the day and movements (newest first)")
    .option('--page-size <n>', 'movements per page (1–100)', positiveInt('--page-size'))
    .option('--page-token <token>', 'older movements: the next_page_token of a previous page')
    .action(async (id: string, _o: unknown, cmd: Command) => {
      const ctx = await contextOf(io, cmd);
      const balance = await ctx.api().json<Row>('GET', `/v1/customers/${segment(id)}/balance`, {
        query: {
          page_size: ctx.options.pageSize as number | undefined,
          page_token: ctx.options.pageToken as string | undefined,
        },
      });
      ctx.print(balance, () => objectView(balance));
    });

  customers
    .command('credit <id>')
    .description("add (or, negative, remove) credit on a customer's balance (operator)")
    .requiredOption('--amount <decimal>', 'e.g. 25 or -10.5, in the currency of its rate plan')
    .requiredOption('--note <text>', 'why (kept with the movement)')
    .option('--idempotency-key <key>', 'a retry with the same key moves the balance once')
    .action(async (id: string, _o: unknown, cmd: Command) => {
      const ctx = await contextOf(io, cmd);
      const key = ctx.options.idempotencyKey as string | undefined;
      const moved = await ctx.api().json<Row>('POST', `/v1/customers/${segment(id)}/balance`, {
        body: { amount: ctx.options.amount, note: ctx.options.note },
        ...(key ? { headers: { 'idempotency-key': key } } : {}),
      });
      ctx.print(moved, () => objectView(moved));
    });
}
