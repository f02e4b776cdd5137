import type { Command } from 'commander';
import type { Context } from './context';
import { listTable, type Row } from './format';
import { positiveInt, type Query } from './request';

/** A page as every list of the API answers it (docs/api.md, "Lists and pagination"). */
export type Page<T> = { result: T[]; next_page_token: string };

/** Pages read by --all before it gives up: 1,000 pages of 100 is more than any list should need. */
const MAX_PAGES = 1000;

export const PAGING_HELP =
  '\nA table shows one page (100 by default); when there are more, stderr says how to go on. ' +
  '--all reads every page. --json prints the API\'s page ({"result", "next_page_token"}; with --all one page of all).';

export function pageOptions(command: Command): Command {
  return command
    .option('--page-size <n>', 'items per page (1–100)', positiveInt('--page-size'))
    .option('--page-token <token>', 'go on from the next_page_token of a previous page')
    .option('--all', 'read every page');
}

const pageQuery = (ctx: Context): Query => ({
  page_size: ctx.options.pageSize as number | undefined,
  page_token: ctx.options.pageToken as string | undefined,
});

export function listPage<T>(ctx: Context, path: string, query: Query): Promise<Page<T>> {
  return ctx.api().json<Page<T>>('GET', path, { query: { ...query, ...pageQuery(ctx) } });
}

/** Every page from the first (or --page-token's), as one page. */
export async function listAll<T>(ctx: Context, path: string, query: Query): Promise<Page<T>> {
  const result: T[] = [];
  let token = ctx.options.pageToken as string | undefined;
  for (let n = 0; n < MAX_PAGES; n++) {
    const page = await ctx.api().json<Page<T>>('GET', path, {
      query: {
        ...query,
        page_size: (ctx.options.pageSize as number | undefined) ?? 100,
        page_token: token,
      },
    });
    result.push(...page.result);
    if (!page.next_page_token) return { result, next_page_token: '' };
    token = page.next_page_token;
  }
  return { result, next_page_token: token ?? '' };
}

/** A page as a table (or its JSON), and on stderr how to read the next one. */
export function listView(ctx: Context, page: Page<Row>, columns: readonly string[], plural: string): void {
  ctx.print(page, () => (page.result.length ? listTable(page.result, columns) : `no ${plural}`));
  if (page.next_page_token && !ctx.options.json) {
    ctx.note(`more: --page-token ${page.next_page_token} (or --all)`);
  }
}

/** A list command's answer: one page, or every page with --all, shown by listView. */
export async function showList(
  ctx: Context,
  path: string,
  query: Query,
  columns: readonly string[],
  plural: string,
): Promise<void> {
  const page = ctx.options.all ? await listAll<Row>(ctx, path, query) : await listPage<Row>(ctx, path, query);
  listView(ctx, page, columns, plural);
}
