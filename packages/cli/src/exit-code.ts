/** The process exit codes of `tubesum`, documented in the README. */
export const ExitCode = {
  /** Every video of the batch was summarized. */
  OK: 0,
  /** The batch ended but some videos failed (or the command itself failed at run time). */
  FAILED: 1,
  /** Bad flags, bad input, missing configuration, unknown batch id. */
  USAGE: 2,
  /**
   * The batch paused on a failure every video would share (a dead API key, an exhausted spend
   * limit, an unknown model, YouTube unreachable or blocking this machine, a store outage): fix
   * the cause, then `tubesum resume <id>`.
   */
  PAUSED: 3,
  /** Cancelled with Ctrl-C (128 + SIGINT). */
  CANCELLED: 130,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** An error the command line reports as one line and exits with `exitCode`. */
export class CliError extends Error {
  override readonly name = 'CliError';
  readonly exitCode: ExitCode;

  constructor(message: string, exitCode: ExitCode = ExitCode.USAGE, options?: { cause?: unknown }) {
    super(message, options);
    this.exitCode = exitCode;
  }
}
