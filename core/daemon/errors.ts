import { ExitCode } from '../../plugin-api';
import { ErrorCode, KoiError } from '../../plugin-api/errors';

/** A start or run failure of koinode: the text for stderr and the exit code. */
export class DaemonError extends KoiError {
  constructor(message: string, readonly exitCode: number, options?: { cause?: unknown }) {
    super(ErrorCode.DAEMON, message, options);
  }
}

/** The cluster timing checks refused the configuration (exit 78, like a config error). */
export class ClusterConfigError extends DaemonError {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'), ExitCode.CONFIG);
    this.name = 'ClusterConfigError';
  }
}
