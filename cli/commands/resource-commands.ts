import type { Command } from 'commander';
import { type Context, contextOf, type Io, readInput } from '../context';
import { usageError } from '../errors';
import { objectView, type Row } from '../format';
import { PAGING_HELP, pageOptions, showList } from '../paging';
import { assignFields, filterOption, filterQuery, type JsonObject, parseBodyFile, segment } from '../request';
import type { ResourceSpec } from '../resources';

type Item = Row & { id: string };

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** The body of a create or update: `--file` (JSON object, `-` for stdin), then each `--set` over it. */
export async function bodyOf(
  io: Io,
  options: Record<string, unknown>,
  shortcuts: string[] = [],
): Promise<JsonObject> {
  const file = options.file as string | undefined;
  const base = file
    ? parseBodyFile(file === '-' ? 'stdin' : file, (await readInput(io, file)).toString('utf8'))
    : {};
  const sets = [...shortcuts, ...((options.set as string[] | undefined) ?? [])];
  if (!file && sets.length === 0)
    throw usageError('nothing to send: pass --file <json> or --set field=value');
  return assignFields(base, sets);
}

/** `--file` and `--set`, the options of every command that sends a body. */
const bodyOptions = (command: Command) =>
  command
    .option('-f, --file <path>', 'a JSON object with the fields (- reads stdin)')
    .option('-s, --set <field=value>', 'a field (repeatable)', collect);

const article = (noun: string) => `${/^[aeiou]/.test(noun) ? 'an' : 'a'} ${noun}`;

const bodyHelp =
  '--set values are JSON when they parse as JSON (5060, true, null, ["a"], "123"), else text (Acme, +82, 0011); ' +
  'a dotted field (limits.max_cps=10) sets a nested one. --set applies over --file.';

/**
 * `tandem <resource> list|get|create|update|replace|delete`: one command per resource of
 * resources.ts, each a plain call of the generic CRUD routes (docs/api.md).
 */
export function addResourceCommand(program: Command, io: Io, spec: ResourceSpec): Command {
  const base = `/v1/${spec.path}`;
  const verbs = spec.updatable ? 'list, get, create, update, replace, delete' : 'list, get, create, delete';
  const command = program.command(spec.path).description(`${spec.singular}s: ${verbs}`);
  for (const alias of spec.aliases ?? []) command.alias(alias);
  const run =
    (action: (ctx: Context, ...args: string[]) => Promise<void>) =>
    async (...args: unknown[]) => {
      const cmd = args[args.length - 1] as Command;
      const positional = args.slice(0, -2) as string[];
      await action(await contextOf(io, cmd), ...positional);
    };

  const list = command
    .command('list')
    .description(`list ${spec.singular}s (a table; --json for the API's page)`);
  for (const filter of spec.filters)
    list.option(`--${filterOption(filter)} <value>`, `only those with this ${filter}`);
  pageOptions(list).addHelpText('after', PAGING_HELP);
  list.action(
    run(async (ctx) => {
      await showList(ctx, base, filterQuery(spec.filters, ctx.options), spec.columns, `${spec.singular}s`);
    }),
  );

  command
    .command('get <id>')
    .description(`show one ${spec.singular}`)
    .action(
      run(async (ctx, id) => {
        const item = await ctx.api().json<Item>('GET', `${base}/${segment(id!)}`);
        ctx.print(item, () => objectView(item));
      }),
    );

  const scoped = spec.filters.includes('customer_id');
  const create = bodyOptions(
    command.command('create').description(`create ${article(spec.singular)} from --file and/or --set`),
  ).option('--name <name>', 'shortcut for --set name=<name> (always text)');
  if (scoped) create.option('--customer <id>', 'shortcut for --set customer_id=<id>');
  create.addHelpText('after', `\n${bodyHelp}`).action(
    run(async (ctx) => {
      const shortcuts = [
        ...(typeof ctx.options.customer === 'string'
          ? [`customer_id=${JSON.stringify(ctx.options.customer)}`]
          : []),
        ...(typeof ctx.options.name === 'string' ? [`name=${JSON.stringify(ctx.options.name)}`] : []),
      ];
      const body = await bodyOf(io, ctx.options, shortcuts);
      const created = await ctx.api().json<Item>('POST', base, { body });
      if (spec.path === 'api-keys') {
        ctx.print(
          created,
          () => `created api key ${created.id} for customer ${created.customer_id}\nkey  ${created.key}`,
        );
        if (!ctx.options.json) ctx.note('The key is shown this once (only its hash is stored): keep it now.');
        return;
      }
      ctx.print(created, () => `created ${spec.singular} ${created.id}\n${objectView(created)}`);
    }),
  );

  if (spec.updatable) {
    for (const [name, method, what] of [
      ['update', 'PATCH', 'change the given top-level fields (PATCH; a nested object is replaced whole)'],
      ['replace', 'PUT', 'replace every field (PUT; omitted fields take their defaults)'],
    ] as const) {
      bodyOptions(command.command(`${name} <id>`).description(`${what} of ${article(spec.singular)}`))
        .addHelpText('after', `\n${bodyHelp}`)
        .action(
          run(async (ctx, id) => {
            const body = await bodyOf(io, ctx.options);
            const updated = await ctx.api().json<Item>(method, `${base}/${segment(id!)}`, { body });
            ctx.print(updated, () => `updated ${spec.singular} ${updated.id}\n${objectView(updated)}`);
          }),
        );
    }
  }

  command
    .command('delete <id>')
    .description(`delete a ${spec.singular} (409 while something still refers to it)`)
    .action(
      run(async (ctx, id) => {
        const deleted = await ctx.api().json<Item>('DELETE', `${base}/${segment(id!)}`);
        ctx.print(deleted, () => `deleted ${spec.singular} ${deleted.id}`);
      }),
    );
  return command;
}
