/**
 * Configuration errors. Every problem found while reading the configuration
 * is collected, so an operator fixes them all in one go; the daemon exits
 * with ExitCode.CONFIG (78, sysexits.h EX_CONFIG) when a ConfigError
 * reaches the top.
 */

import { ErrorCode, KoiError } from '../../plugin-api/errors';
import { ExitCode } from '../../plugin-api/status';

/** One thing wrong with the configuration, and where. */
export interface ConfigProblem {
  /** File the problem is in (as given / found; absolute for searched files). */
  file: string;
  /** 1-based line; 0 when unknown (JSON/YAML/JS sources, a missing file). */
  line: number;
  /** Dotted key (`cluster.transport`), or '' for a problem not tied to a key. */
  key: string;
  /** What is wrong. */
  message: string;
}

/** Sort problems by file, then line (stable for equal positions). */
export function sortProblems(problems: readonly ConfigProblem[]): ConfigProblem[] {
  return problems
    .map((problem, index) => ({ problem, index }))
    .sort((a, b) =>
      a.problem.file < b.problem.file ? -1
        : a.problem.file > b.problem.file ? 1
          : a.problem.line - b.problem.line || a.index - b.index)
    .map(({ problem }) => problem);
}

/** `file:line: key: message` (`:line` left out when unknown, `key: ` when empty). */
export function formatProblem(problem: ConfigProblem): string {
  const where = problem.line > 0 ? `${problem.file}:${problem.line}` : problem.file;
  return problem.key === '' ? `${where}: ${problem.message}` : `${where}: ${problem.key}: ${problem.message}`;
}

/** The configuration cannot be used; `problems` lists everything wrong with it. */
export class ConfigError extends KoiError {
  readonly exitCode = ExitCode.CONFIG;
  readonly problems: ConfigProblem[];

  constructor(problems: readonly ConfigProblem[]) {
    const sorted = sortProblems(problems);
    super(ErrorCode.CONFIG, `invalid configuration (${sorted.length} problem${sorted.length === 1 ? '' : 's'}):\n${sorted.map(formatProblem).join('\n')}`);
    this.problems = sorted;
  }

  /** One line per problem, `file:line: key: what is wrong`, sorted by file then line. */
  format(): string {
    return this.problems.map(formatProblem).join('\n');
  }
}
