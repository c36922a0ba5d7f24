/**
 * Cluster key files (`cluster.key_file`, written by `koi keygen`): one key per
 * line, `ID BASE64KEY` (ID 1..255, 32 random bytes), `#` comments. The first
 * key is the primary (sends); every listed key is accepted on receipt. That
 * is all key rotation needs (docs/security.md "Keys and rotation").
 *
 * A key file is a secret: it is refused when group or others may read or
 * write it, or when it is owned by someone other than root or the process's
 * user (who could swap the key under the daemon).
 */
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import type { Keyring } from './keyring';
import { ErrorCode, KoiError } from '../../plugin-api/errors';

export const KEY_BYTES = 32;
export const MIN_KEY_ID = 1;
export const MAX_KEY_ID = 255;

export type KeyFileErrorReason = 'unreadable' | 'permissions' | 'owner' | 'syntax' | 'empty' | 'exists';

export class KeyFileError extends KoiError {
  constructor(readonly reason: KeyFileErrorReason, readonly file: string, readonly line: number, detail: string) {
    super(ErrorCode.KEY_FILE, `${file}${line > 0 ? `:${line}` : ''}: ${detail}`);
  }
}

export interface KeyFile extends Keyring {
  /** Key ids in file order (primary first). */
  ids: number[];
  /** SHA-256 of the keys (hex, 16 chars): changes when any key or the order changes; not secret. */
  digest: string;
}

/** Parse key file text; `file` names it in errors. */
export function parseKeyFile(text: string, file: string): KeyFile {
  const keys = new Map<number, Uint8Array>();
  const ids: number[] = [];
  const hash = createHash('sha256');
  text.split('\n').forEach((raw, index) => {
    const line = raw.replace(/#.*/, '').trim();
    if (line === '') return;
    const where = index + 1;
    const m = /^(\d{1,3})\s+([A-Za-z0-9+/]{43}=)$/.exec(line);
    if (!m) throw new KeyFileError('syntax', file, where, 'expected "ID KEY" (ID 1..255, KEY 32 bytes in base64, as `koi keygen` writes)');
    const id = Number(m[1]);
    if (id < MIN_KEY_ID || id > MAX_KEY_ID) throw new KeyFileError('syntax', file, where, `key id ${id} is not in ${MIN_KEY_ID}..${MAX_KEY_ID}`);
    if (keys.has(id)) throw new KeyFileError('syntax', file, where, `key id ${id} appears twice`);
    const key = Buffer.from(m[2], 'base64');
    if (key.length !== KEY_BYTES) throw new KeyFileError('syntax', file, where, `key ${id} is ${key.length} bytes, expected ${KEY_BYTES}`);
    keys.set(id, new Uint8Array(key));
    ids.push(id);
    hash.update(Uint8Array.of(id)).update(key);
  });
  if (ids.length === 0) throw new KeyFileError('empty', file, 0, 'no key in the key file (create one with `koi keygen FILE`)');
  return { primary: ids[0], keys, ids, digest: hash.digest('hex').slice(0, 16) };
}

/** Read and check a key file (owner, mode, syntax). */
export function readKeyFile(file: string, uid: number | undefined = process.getuid?.()): KeyFile {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ELOOP' ? 'is a symbolic link (name the real file)' : `cannot be read (${code ?? (err as Error).message})`;
    throw new KeyFileError('unreadable', file, 0, `key file ${why}`);
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw new KeyFileError('unreadable', file, 0, 'key file is not a regular file');
    if ((st.mode & 0o077) !== 0) {
      throw new KeyFileError('permissions', file, 0, `key file mode is 0${(st.mode & 0o777).toString(8)}: group or others may access it; run \`chmod 600 ${file}\``);
    }
    if (uid !== undefined && st.uid !== 0 && st.uid !== uid) {
      throw new KeyFileError('owner', file, 0, `key file is owned by uid ${st.uid}, not by root or this process's uid ${uid}; run \`chown ${uid} ${file}\``);
    }
    return parseKeyFile(fs.readFileSync(fd, 'utf8'), file);
  } finally {
    fs.closeSync(fd);
  }
}

/** Key file text: `keys` in order, primary first. */
export function formatKeyFile(keys: ReadonlyArray<{ id: number; key: Uint8Array }>): string {
  const lines = keys.map(({ id, key }) => `${id} ${Buffer.from(key).toString('base64')}`);
  return `# koi cluster keys: "ID KEY" per line, the first is the primary (sends); all are accepted.\n${lines.join('\n')}\n`;
}

/** A fresh random key. */
export function randomKey(): Uint8Array {
  return new Uint8Array(randomBytes(KEY_BYTES));
}
