import { EXIT, type ExitCode, exitCodeOf } from './exit-codes';
import type { Problem } from './problem';

/** A failure the CLI reports on stderr in one readable message, then exits with `exitCode`. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** An answer of the API (or a relay) with a 4xx or 5xx status; `problem` is its parsed body. */
export class ApiError extends CliError {
  constructor(
    message: string,
    readonly status: number,
    readonly problem: Problem | undefined,
    readonly body: string,
  ) {
    super(message, exitCodeOf(status));
    this.name = 'ApiError';
  }
}

export const usageError = (message: string) => new CliError(message, EXIT.usage);
