/**
 * What a machine remembers across koinode restarts (`node.state_file`; the
 * file itself is core/daemon/state-file.ts, the simulator keeps one
 * InMemoryMachineMemory per machine): the
 * master of the last view that named one, and when it was last seen named
 * (wall clock: monotonic time does not survive a process). A process start
 * draws a fresh node id and forgets everything else; without this, a node
 * that restarts forgets a master it saw, and a later leader whose quorum
 * holds only such nodes has nobody to learn that master from — nothing to
 * fence (docs/safety.md R8; the nemesis family of seed 9200971).
 *
 * Written when the remembered master changes and at most once every
 * KNOWN_MASTER_REFRESH_MS while it stays; read once, at start.
 */

/** The remembered master: id, name, and the wall-clock time (ms) it was last seen named by a view. */
export interface RememberedMaster {
  id: string;
  name: string;
  wallAt: number;
  /** The leader whose view named it ('' when not known). */
  from: string;
  /**
   * The id of the process that wrote it: a master that was this machine's own earlier process is not owed a
   * fence (its start-up sweep undoes its leftovers), even when the machine was renamed since.
   */
  writerId: string;
}

export interface MachineMemory {
  /** The master remembered from before this process (null when none, or unreadable). */
  loadKnownMaster(): RememberedMaster | null;
  /** Remember `master` (replaces what was remembered). Never throws, never waits. */
  saveKnownMaster(master: RememberedMaster): void;
}

/** How often an unchanged remembered master's time is written again (its age after a crash is at most this much too old). */
export const KNOWN_MASTER_REFRESH_MS = 60_000;

/** A memory that lives as long as the object (the simulator keeps one per machine across restarts). */
export class InMemoryMachineMemory implements MachineMemory {
  private master: RememberedMaster | null = null;
  loadKnownMaster(): RememberedMaster | null {
    return this.master ? { ...this.master } : null;
  }
  saveKnownMaster(master: RememberedMaster): void {
    this.master = { ...master };
  }
}
