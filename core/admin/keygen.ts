/**
 * `koi keygen [--id N] [FILE]`: a fresh random cluster key.
 *
 * With FILE: creates FILE (mode 0600, O_CREAT|O_EXCL, so it never overwrites
 * and never follows a symbolic link planted at that name) holding one key
 * with id N (default 1). Without FILE: prints one key line `N BASE64` to
 * stdout, to append to an existing key file during a rotation
 * (docs/security.md "Keys and rotation"). Needs no configuration and talks to
 * no node.
 */
import * as fs from 'node:fs';
import { formatKeyFile, MAX_KEY_ID, MIN_KEY_ID, randomKey } from '../wire/keyfile';

export const KEYGEN_USAGE = 'usage: koi keygen [--id N] [FILE]   (N in 1..255, default 1; no FILE: print one key line)';

interface Stream {
  write(text: string): unknown;
}

/** Runs `koi keygen` with the arguments after `keygen`; returns the exit code (0, 1 = cannot write, 2 = usage). */
export function runKeygen(args: readonly string[], out: { stdout: Stream; stderr: Stream; cwd: string }): number {
  let id = MIN_KEY_ID;
  let file: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--id') {
      const value = args[++i];
      if (value === undefined || !/^\d+$/.test(value) || Number(value) < MIN_KEY_ID || Number(value) > MAX_KEY_ID) {
        out.stderr.write(`koi: keygen: --id needs a number in ${MIN_KEY_ID}..${MAX_KEY_ID}, got ${value ?? 'nothing'}\n${KEYGEN_USAGE}\n`);
        return 2;
      }
      id = Number(value);
    } else if (arg === '-h' || arg === '--help') {
      out.stdout.write(`${KEYGEN_USAGE}\n`);
      return 0;
    } else if (arg.startsWith('-') || file !== undefined) {
      out.stderr.write(`koi: keygen: unexpected argument "${arg}"\n${KEYGEN_USAGE}\n`);
      return 2;
    } else {
      file = arg;
    }
  }
  const key = randomKey();
  if (file === undefined) {
    out.stdout.write(formatKeyFile([{ id, key }]).split('\n').filter((l) => l && !l.startsWith('#')).join('\n') + '\n');
    return 0;
  }
  const target = file.startsWith('/') ? file : `${out.cwd}/${file}`;
  let fd: number;
  try {
    fd = fs.openSync(target, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW, 0o600);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'EEXIST' ? 'it already exists (koi keygen never overwrites a key file)' : (err as Error).message;
    out.stderr.write(`koi: keygen: cannot create ${target}: ${why}\n`);
    return 1;
  }
  try {
    fs.fchmodSync(fd, 0o600); // the umask may have removed bits, never added: make the mode exact
    fs.writeSync(fd, formatKeyFile([{ id, key }]));
  } finally {
    fs.closeSync(fd);
  }
  out.stderr.write(`koi: wrote key id ${id} to ${target} (mode 0600); copy it to every node and set cluster.key_file\n`);
  return 0;
}
