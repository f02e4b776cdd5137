import type { Command } from 'commander';
import { contextOf, type Io } from '../context';
import { PAGING_HELP, pageOptions, showList } from '../paging';
import { optionKey, type Query } from '../request';

/** Flag → query parameter of `GET /v1/audit-events` (docs/audit.md). */
const FILTERS = [
  [
    '--resource <kind>',
    'resource',
    'only this kind of object: route, provider, api_key, rate_deck, balance, …',
  ],
  ['--object <id>', 'resource_id', "one object's history"],
  ['--action <action>', 'action', 'create, update, delete, import, revoke or adjust'],
  ['--actor-key <id>', 'actor_key_id', 'writes made with this customer key'],
  ['--customer <id>', 'customer_id', "one customer's events (operator key)"],
  ['--from <time>', 'from', 'at or after this ISO 8601 time or date'],
  ['--to <time>', 'to', 'before this time'],
] as const;

const AUDIT_COLUMNS = [
  'time',
  'actor.kind',
  'actor.key_id',
  'action',
  'resource',
  'resource_id',
  'source.ip',
];

/** `tandem audit`: who changed what, newest first. */
export function addAuditCommands(program: Command, io: Io): void {
  const audit = program.command('audit').description('configuration changes: who, what, when, from where');
  for (const [flag, , help] of FILTERS) audit.option(flag, help);
  pageOptions(audit)
    .addHelpText('after', PAGING_HELP)
    .action(async (_o: unknown, cmd: Command) => {
      const ctx = await contextOf(io, cmd);
      const query: Query = {};
      for (const [flag, name] of FILTERS) {
        const value = ctx.options[optionKey(flag.slice(2, flag.indexOf(' ')))];
        if (typeof value === 'string') query[name] = value;
      }
      await showList(ctx, '/v1/audit-events', query, AUDIT_COLUMNS, 'audit events');
    });
}
