/**
 * Ownership and mode checks of the files koi trusts.
 *
 * - Secret files (a koi.conf holding `cluster.password`, a key file) must not
 *   be readable by group or others: whoever reads them controls the cluster.
 * - Code files (service scripts, native service modules) run with the
 *   daemon's rights, so nobody but root and the daemon's user may be able to
 *   change them — nor the directories above them up to the services folder
 *   (whoever can write a directory can replace what is in it). The check
 *   stops at the services folder: /tmp and other world-writable sticky
 *   directories above it are the operator's business, not a service's.
 */
import { realpathSync, statSync, type Stats } from 'node:fs';
import path from 'node:path';
import { ErrorCode, KoiError } from './errors';

export type FilePermissionReason = 'E_SECRET_FILE_MODE' | 'E_CODE_FILE_PERMISSIONS' | 'E_FILE_STAT';

/** One problem of one file or directory. */
export interface FilePermissionProblem {
  /** The file or directory (absolute). */
  file: string;
  /** Permission bits (`mode & 0o7777`), -1 when the file could not be read. */
  mode: number;
  uid: number;
  gid: number;
  /** What is wrong, e.g. `writable by others (mode 0777)`. */
  problem: string;
}

/** A refusal: the file(s) and what is wrong with them. */
export class FilePermissionError extends KoiError {
  constructor(readonly reason: FilePermissionReason, readonly problems: FilePermissionProblem[], message: string) {
    super(ErrorCode.FILE_PERMISSION, message);
  }
}

/** `0644` */
export function octalMode(mode: number): string {
  return (mode & 0o7777).toString(8).padStart(4, '0');
}

/** The daemon's uid (-1 where the platform has none: only root-owned files pass). */
export function daemonUid(): number {
  return typeof process.getuid === 'function' ? process.getuid() : -1;
}

// ---- secret files -----------------------------------------------------------

/** What is wrong with a secret file's mode (readable by group/others), or null. Pure. */
export function secretModeProblem(stats: Pick<Stats, 'mode'>): string | null {
  const mode = stats.mode & 0o777;
  const readers = [(mode & 0o040) !== 0 ? 'group' : '', (mode & 0o004) !== 0 ? 'others' : ''].filter(Boolean);
  if (readers.length === 0) return null;
  return `readable by ${readers.join(' and ')} (mode ${octalMode(mode)})`;
}

/**
 * Check a file holding a secret. Returns null when only its owner can read
 * it, else one line naming the file, its mode and the fix:
 * `/etc/koi/koi.conf holds the cluster password and is readable by group and others (mode 0644); anyone who can read it controls the cluster: chmod 600 /etc/koi/koi.conf`
 * `what` says what the secret is (default "a cluster secret").
 */
export function checkSecretFile(file: string, what = 'a cluster secret'): string | null {
  let stats: Stats;
  try {
    stats = statSync(file);
  } catch {
    return null; // a missing file is reported by whoever reads it
  }
  const problem = secretModeProblem(stats);
  if (problem === null) return null;
  return `${file} holds ${what} and is ${problem}; anyone who can read it controls the cluster: chmod 600 ${file}`;
}

/** Like checkSecretFile, but throws FilePermissionError (key files are refused, not warned about). */
export function assertSecretFile(file: string, what = 'a cluster key'): void {
  const message = checkSecretFile(file, what);
  if (message === null) return;
  const stats = statSync(file);
  throw new FilePermissionError('E_SECRET_FILE_MODE',
    [{ file, mode: stats.mode & 0o7777, uid: stats.uid, gid: stats.gid, problem: secretModeProblem(stats) ?? '' }],
    `refusing ${message}`);
}

// ---- code files ---------------------------------------------------------------

/**
 * Problems of one file's or directory's owner and mode; empty when safe. Pure.
 * Unsafe: writable by others; writable by a group other than root's (gid 0);
 * owned by a user other than root and `uid` (the daemon's).
 */
export function ownerModeProblems(stats: Pick<Stats, 'mode' | 'uid' | 'gid'>, uid: number): string[] {
  const problems: string[] = [];
  const mode = stats.mode & 0o7777;
  const groupWritable = (mode & 0o020) !== 0 && stats.gid !== 0;
  const othersWritable = (mode & 0o002) !== 0;
  if (groupWritable || othersWritable) {
    const who = [groupWritable ? `group (gid ${stats.gid})` : '', othersWritable ? 'others' : ''].filter(Boolean);
    problems.push(`writable by ${who.join(' and ')} (mode ${octalMode(mode)})`);
  }
  if (stats.uid !== 0 && stats.uid !== uid) problems.push(`owned by uid ${stats.uid}, not root or the daemon's uid ${uid}`);
  return problems;
}

/**
 * Check a file that koi will run or load (`file`), the directories from its
 * folder up to `root` (the services folder) inclusive, and — when `file` is a
 * symbolic link — the folder of its target. Returns every problem, empty
 * when all is safe. A `file` outside `root` is checked with its own folder only.
 */
export function checkCodeFile(file: string, root: string, options: { uid?: number } = {}): FilePermissionProblem[] {
  const uid = options.uid ?? daemonUid();
  const absolute = path.resolve(file);
  const top = path.resolve(root);
  const chain = [absolute];
  let dir = path.dirname(absolute);
  const inside = isInside(absolute, top);
  for (;;) {
    chain.push(dir);
    if (!inside || dir === top) break;
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  try {
    const realDir = path.dirname(realpathSync(absolute));
    if (!chain.includes(realDir)) chain.push(realDir);
  } catch {
    // stat below reports it
  }
  const problems: FilePermissionProblem[] = [];
  for (const item of chain) {
    let stats: Stats;
    try {
      stats = statSync(item);
    } catch (err) {
      problems.push({ file: item, mode: -1, uid: -1, gid: -1, problem: `cannot be checked: ${(err as Error).message}` });
      continue;
    }
    for (const problem of ownerModeProblems(stats, uid)) {
      problems.push({ file: item, mode: stats.mode & 0o7777, uid: stats.uid, gid: stats.gid, problem });
    }
  }
  return problems;
}

/** `/srv/x/start: writable by others (mode 0777); /srv/x: owned by uid 65534, ...` */
export function describeProblems(problems: readonly FilePermissionProblem[]): string {
  return problems.map((p) => `${p.file}: ${p.problem}`).join('; ');
}

/** checkCodeFile that throws FilePermissionError naming every problem. */
export function assertCodeFile(file: string, root: string, options: { uid?: number } = {}): void {
  const problems = checkCodeFile(file, root, options);
  if (problems.length > 0) {
    throw new FilePermissionError('E_CODE_FILE_PERMISSIONS', problems, `unsafe ownership or mode: ${describeProblems(problems)}`);
  }
}

function isInside(file: string, dir: string): boolean {
  const relative = path.relative(dir, file);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}
