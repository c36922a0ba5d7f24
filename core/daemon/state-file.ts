/**
 * The `node.state_file` (core/node/machine-memory.ts says what is kept and
 * why): a few hundred bytes of JSON, rewritten to a temporary file and
 * renamed, one write at a time, never waited for; read once at start. Like
 * the journal, a file that cannot be read or written is reported, naming
 * it, and the node runs on without the memory.
 */
import * as fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '../../plugin-api';
import type { MachineMemory, RememberedMaster } from '../node/machine-memory';

const FORMAT = 1;

/** Parse the state file's text; null when it is not a remembered master of this format. */
export function parseStateFile(text: string): RememberedMaster | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  const v = value as { format?: unknown; knownMaster?: Record<string, unknown> };
  const m = v?.knownMaster;
  if (v?.format !== FORMAT || !m || typeof m.id !== 'string' || m.id === '' || typeof m.name !== 'string'
    || typeof m.wallAt !== 'number' || !Number.isFinite(m.wallAt)) return null;
  return { id: m.id, name: m.name, wallAt: m.wallAt, from: typeof m.from === 'string' ? m.from : '', writerId: typeof m.writerId === 'string' ? m.writerId : '' };
}

/** The `node.state_file` memory: read at once, written in the background, one write at a time. */
export class FileMachineMemory implements MachineMemory {
  private writing = false;
  private pending: RememberedMaster | null = null;
  /** The last write failed (logged once per run of failures); the next save tries again. */
  private failing = false;

  constructor(readonly file: string, private readonly log: Logger) {}

  loadKnownMaster(): RememberedMaster | null {
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.log.warn({ path: this.file }, `state file ${this.file}: cannot read it (${(err as Error).message}); the last master seen before this start is not known (node.state_file)`);
      }
      return null;
    }
    const master = parseStateFile(text);
    if (!master) this.log.warn({ path: this.file }, `state file ${this.file}: not a koi state file (format ${FORMAT}); ignored, and rewritten when a master is next seen (node.state_file)`);
    return master;
  }

  saveKnownMaster(master: RememberedMaster): void {
    this.pending = { ...master };
    if (!this.writing) this.writeNext();
  }

  private writeNext(): void {
    const master = this.pending;
    if (!master) return;
    this.pending = null;
    this.writing = true;
    const temporary = `${this.file}.tmp`;
    const text = `${JSON.stringify({ format: FORMAT, knownMaster: master })}\n`;
    fs.promises.mkdir(path.dirname(this.file), { recursive: true, mode: 0o750 })
      .then(() => fs.promises.writeFile(temporary, text, { mode: 0o644 }))
      .then(() => fs.promises.rename(temporary, this.file))
      .then(() => {
        this.writing = false;
        if (this.failing) this.log.info({ path: this.file }, `state file ${this.file}: written again`);
        this.failing = false;
        this.writeNext();
      }, (err: Error) => {
        this.writing = false;
        // Once per run of failures (a full disk, a read-only remount); the next save (a new master, or the
        // once-a-minute refresh) tries again.
        if (!this.failing) this.log.error({ path: this.file }, `state file ${this.file}: cannot write it (${err.message}); until it can, the master seen last is forgotten at a restart (node.state_file)`);
        this.failing = true;
      });
  }
}
