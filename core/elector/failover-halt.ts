/**
 * The failover halt in force (the rule itself is no-master.ts
 * `failoverHalt`): tracks whether it holds, says so loudly once when it
 * starts and when it ends (error log, onFailoverHalt), and forgets the
 * failures before an operator's `koi elect` / `koi promote`.
 */
import type { KoiHooks, Logger } from '../../plugin-api';
import { failoverHalt, type FailoverHalt, type NoMasterWait } from './no-master';
import type { RunnerRecord } from './records';

export class FailoverHaltWatch {
  /** The halt in force, null when none. */
  private halt: FailoverHalt | null = null;
  /** Failures before this time do not count toward a halt (`koi elect` / `koi promote` lift it). */
  private clearedAt = -Infinity;

  constructor(private readonly log: Logger, private readonly hooks: KoiHooks) {}

  get active(): boolean {
    return this.halt !== null;
  }

  /** An operator acted: failures so far no longer count. */
  lift(now: number): void {
    this.clearedAt = now;
  }

  /** Re-evaluate the rule over the failures of the last `failcountResetMs`; the wait it imposes, null when none. */
  check(now: number, records: Iterable<RunnerRecord>, failcountResetMs: number): NoMasterWait | null {
    const since = Math.max(now - failcountResetMs, this.clearedAt);
    const halt = failoverHalt(records, since);
    const before = this.halt;
    this.halt = halt;
    const message = halt
      ? `failover halted: every runner (${halt.runners.join(', ')}) failed service ${halt.service} recently; `
        + 'not electing until an operator acts (fix the cause, then koi recover NODE or --all, koi promote NODE, or koi elect)'
      : '';
    if (halt && (!before || before.service !== halt.service)) {
      this.log.error(message);
      this.hooks.onFailoverHalt.call({ halted: true, service: halt.service, runners: halt.runners, message });
    } else if (!halt && before) {
      this.log.warn(`failover resumed: ${before.service} no longer failed on every runner`);
      this.hooks.onFailoverHalt.call({ halted: false, service: before.service, runners: before.runners, message: 'failover resumed' });
    }
    return halt ? { code: 'failover-halted', message } : null;
  }
}
