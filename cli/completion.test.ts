import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { bashCompletion, commandTree, zshCompletion } from './completion';
import { buildProgram } from './program';

const io = {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: {},
  home: '/nonexistent',
};
const program = buildProgram(io);
const script = bashCompletion(program);

/** What bash completes for the words typed (the last one being completed), with the script sourced. */
function complete(...words: string[]): string[] {
  const line = ['tandem', ...words];
  const shell = `${script}
COMP_WORDS=(${line.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${line.length - 1}
_tandem; printf '%s\\n' "\${COMPREPLY[@]}"`;
  return execFileSync('bash', ['--norc', '--noprofile', '-c', shell], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean);
}

describe('shell completion', () => {
  it('knows every command, its subcommands and options, aliases included', () => {
    const tree = new Map(commandTree(program).map((n) => [n.path, n]));
    expect(tree.get('')?.commands).toEqual(
      expect.arrayContaining(['customers', 'rates', 'cdrs', 'simulate', 'keys']),
    );
    expect(tree.get('keys')?.commands).toEqual(tree.get('api-keys')?.commands);
    expect(tree.get('rates import')?.options).toEqual(
      expect.arrayContaining(['--provider', '--rate-plan', '--url', '--json']),
    );
  });

  it('completes commands, subcommands and options in bash', () => {
    expect(complete('cu')).toEqual(['customers']);
    expect(complete('customers', '')).toEqual([
      'list',
      'get',
      'create',
      'update',
      'replace',
      'delete',
      'balance',
      'credit',
    ]);
    expect(complete('keys', 'cr')).toEqual(['create']);
    expect(complete('--json', 'routes', 'list', '--p')).toEqual([
      '--provider',
      '--page-size',
      '--page-token',
      '--profile',
    ]);
    expect(complete('cdrs', 'search', '--cust')).toEqual(['--customer']);
  });

  it('makes the zsh script from the same words', () => {
    const zsh = zshCompletion(program);
    expect(zsh.startsWith('#compdef tandem\n')).toBe(true);
    expect(zsh).toContain('bashcompinit');
    expect(zsh).toContain("'customers list') echo");
  });
});
