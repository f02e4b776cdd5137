import Table from 'cli-table3';
import { printable } from './problem';

export type Row = Record<string, unknown>;

/** No borders: columns two spaces apart, like `kubectl get`, so `grep` and `awk` read the lines. */
const PLAIN = {
  chars: {
    top: '',
    'top-mid': '',
    'top-left': '',
    'top-right': '',
    bottom: '',
    'bottom-mid': '',
    'bottom-left': '',
    'bottom-right': '',
    left: '',
    'left-mid': '',
    mid: '',
    'mid-mid': '',
    right: '',
    'right-mid': '',
    middle: '  ',
  },
  style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 },
};

/**
 * Rows under a header (none when `head` is empty), aligned by display width (cli-table3 measures wide and combining
 * characters); lines carry no trailing spaces.
 */
export function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const t = new Table({ ...PLAIN, head: [...head] });
  for (const row of rows) t.push([...row]);
  return t
    .toString()
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n');
}

/** The value at a dotted path (`billing.mode`), or undefined. */
export function at(value: unknown, path: string): unknown {
  let current = value;
  for (const key of path.split('.')) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Row)[key];
  }
  return current;
}

/** A value as one table cell: `-` for none, JSON for arrays and objects, text made printable. */
export function cell(value: unknown): string {
  if (value === undefined || value === null || value === '') return '-';
  if (typeof value === 'string') return printable(value);
  if (typeof value === 'object') return printable(JSON.stringify(value));
  return String(value);
}

/** Items as a table of the given (dotted) columns. */
export function listTable(items: readonly Row[], columns: readonly string[]): string {
  return table(
    columns,
    items.map((item) => columns.map((c) => cell(at(item, c)))),
  );
}

const isRow = (v: unknown): v is Row => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Leaves of an object as `a.b.c` paths; arrays of objects are kept whole (shown as tables). */
function flatten(value: Row, prefix = ''): [string, unknown][] {
  return Object.entries(value).flatMap(([key, v]): [string, unknown][] => {
    const path = prefix ? `${prefix}.${key}` : key;
    if (isRow(v) && Object.keys(v).length > 0) return flatten(v, path);
    return [[path, v]];
  });
}

/**
 * One object for reading: a `field  value` line per leaf (nested fields by their dotted path),
 * then each list of objects (a CDR's attempts, a balance's movements) as a table of its own.
 *
 * @example
 * objectView({ id: 'c1', limits: { max_cps: 5 } }); // 'id          c1\nlimits.max_cps  5'
 */
export function objectView(value: Row): string {
  const leaves = flatten(value);
  const lists = leaves.filter(
    (e): e is [string, Row[]] => Array.isArray(e[1]) && e[1].length > 0 && e[1].every(isRow),
  );
  const scalars = leaves.filter((e) => !lists.includes(e as [string, Row[]]));
  const parts = [
    table(
      [],
      scalars.map(([k, v]) => [k, cell(v)]),
    ),
  ];
  for (const [name, rows] of lists) {
    const columns = [...new Set(rows.flatMap((r) => flatten(r).map(([k]) => k)))];
    parts.push(`\n${name}:\n${indent(listTable(rows, columns))}`);
  }
  return parts.join('\n');
}

/** Each line of `text` two spaces in (a table under its heading). */
export const indent = (text: string) =>
  text
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
