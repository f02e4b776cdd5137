/**
 * Just enough of systemd's file syntax to start a service the way systemd
 * would: unit files (systemd.syntax(7)) and environment files
 * (systemd.exec(7), EnvironmentFile=).
 */

/** Section → key → values in order (a key may repeat, e.g. Environment=). */
export type Unit = Record<string, Record<string, string[]>>;

export function parseUnit(text: string): Unit {
  const unit: Unit = {};
  let section = '';
  const lines = text.replace(/\\\n/g, ' ').split('\n');
  for (const raw of lines) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      section = header[1]!;
      unit[section] ??= {};
      continue;
    }
    const eq = line.indexOf('=');
    if (eq < 0 || !section) throw new Error(`not a unit file line: ${line}`);
    const key = line.slice(0, eq).trim();
    const values = unit[section]!;
    values[key] = [...(values[key] ?? []), line.slice(eq + 1).trim()];
  }
  return unit;
}

/** Splits a command line as systemd does for ExecStart= (whitespace, double or single quotes). */
export function splitCommand(command: string): string[] {
  const words: string[] = [];
  const pattern = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g;
  for (const m of command.matchAll(pattern)) words.push(m[1] ?? m[2] ?? m[3]!);
  return words;
}

/** Environment= values: `A=1 "B=two words"`. */
export function parseEnvironmentAssignments(values: string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const value of values) {
    for (const word of splitCommand(value)) {
      const eq = word.indexOf('=');
      if (eq > 0) env[word.slice(0, eq)] = word.slice(eq + 1);
    }
  }
  return env;
}

/** An EnvironmentFile=: `KEY=value` lines, `#`/`;` comments, optional quotes around the value. */
export function parseEnvironmentFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const m = /^([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!m) throw new Error(`not an environment file line: ${line}`);
    const value = m[2]!;
    const quoted = /^"(.*)"$/.exec(value) ?? /^'(.*)'$/.exec(value);
    env[m[1]!] = quoted ? quoted[1]! : value;
  }
  return env;
}
