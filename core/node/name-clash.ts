/**
 * Two live nodes with one name (default name = host name: cloned VMs)
 * make every name-based command ambiguous. The node that started later
 * (shorter uptime; ties by id) refuses to go on, with a clear error; the
 * other one logs which address also claims its name (once per node).
 */
import type { Logger } from '../../plugin-api';

export class NameClashGuard {
  /** Ids already reported as carrying this node's name. */
  private readonly reported = new Set<string>();
  private yielding = false;

  constructor(
    private readonly self: { id: string; name: string },
    private readonly log: Logger,
    /** This node yields its name: it must not go on. */
    private readonly yieldName: (message: string) => void,
  ) {}

  /** A heartbeat from `otherId` at `from` carries this node's name; `myUptimeMs` is this node's. */
  clash(myUptimeMs: number, otherId: string, from: string, otherUptimeMs: number): void {
    const yields = myUptimeMs < otherUptimeMs || (myUptimeMs === otherUptimeMs && this.self.id < otherId);
    if (yields) {
      if (this.yielding) return;
      this.yielding = true;
      const message = `another node named ${this.self.name} (${otherId}) is live at ${from} and was up first: `
        + 'refusing to run a second node with that name (give this node its own name: --name or node.name)';
      this.log.error(message);
      this.yieldName(message);
      return;
    }
    if (this.reported.has(otherId)) return;
    this.reported.add(otherId);
    this.log.error(`a second node named ${this.self.name} (${otherId}) appeared at ${from}; it started later and refuses to run (duplicate node name)`);
  }
}
