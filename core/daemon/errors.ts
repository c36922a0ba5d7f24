import { ExitCode } from '../../plugin-api';

export const EXIT = { OK: ExitCode.OK, FAILURE: ExitCode.FAILURE, CONFIG: ExitCode.CONFIG } as const;

/** A start or run failure of koinode: the text for stderr and the exit code. */
export class DaemonError extends Error {
  readonly code = 'EDAEMON';
  constructor(message: string, readonly exitCode: number, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DaemonError';
  }
}

/** The cluster timing checks refused the configuration (exit 78, like a config error). */
export class ClusterConfigError extends DaemonError {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'), EXIT.CONFIG);
    this.name = 'ClusterConfigError';
  }
}
