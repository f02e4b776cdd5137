import { homedir } from 'node:os';
import { CommanderError } from 'commander';
import type { Io } from './context';
import { ApiError, CliError } from './errors';
import { EXIT } from './exit-codes';
import { buildProgram } from './program';

const processIo = (): Io => ({
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  home: homedir(),
});

/**
 * Runs `tandem` with `argv` (process.argv's shape) and answers its exit code: every failure
 * is one message on stderr (`tandem: …`) and a code of exit-codes.ts; with --json an API error's
 * body is printed on stdout as well, for scripts.
 */
export async function main(argv: string[], io: Io = processIo()): Promise<number> {
  // A closed pipe (`tandem … | head`) ends the output, not the process with a stack trace.
  io.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(EXIT.ok);
    throw error;
  });
  const program = buildProgram(io);
  try {
    await program.parseAsync(argv);
    return EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has printed its message (or the help, or the version) already.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (error instanceof ApiError && program.opts().json && error.body) io.stdout.write(`${error.body}\n`);
    if (error instanceof CliError) {
      io.stderr.write(`tandem: ${error.message}\n`);
      return error.exitCode;
    }
    io.stderr.write(`tandem: ${(error as Error).stack ?? String(error)}\n`);
    return EXIT.internal;
  }
}
