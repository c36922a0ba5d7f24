/**
 * Fencing a master this leader owes a replacement (SPEC §5, docs/safety.md
 * R6): decides when a silent or unreported previous master must be fenced
 * before anyone else is elected, runs the onFence hook (one at a time), and
 * remembers who was fenced. The only elector state it keeps is its own.
 */
import type { KoiHooks, Logger } from '../../plugin-api';
import type { SafetyRuleSet } from '../safety-rules';
import type { PreviousMaster } from './owed';
import type { RunnerRecord } from './records';

/** Whether a plugin tapped the hook (`isUsed()` also counts koi's own interceptors). */
export function hasTaps(hook: unknown): boolean {
  const taps = (hook as { taps?: unknown[] }).taps;
  return Array.isArray(taps) && taps.length > 0;
}

/** What the fencer reads of the owed master at one check. */
export interface FenceCheck {
  now: number;
  prev: PreviousMaster;
  deadTime: number;
  /** The owed master's runner record (a retired incarnation's too), undefined when none. */
  record: RunnerRecord | undefined;
  /** Last time membership heard it (any message), -Infinity when never. */
  lastHeard: number;
  /** Its address from membership ('' when unknown); used when the record has none. */
  addressOf(id: string): string;
  /** A later koinode of its machine reports (owed.ts `succeeded`). */
  succeeded(): boolean;
}

/** What an election waits for because of fencing: a fence under way, or a learned master's grace to report. */
export interface FenceWait {
  code: 'fencing' | 'fence-grace';
  message: string;
  /** When the grace ends by itself (fence-grace). */
  until?: number;
}

export class Fencer {
  private readonly fenced = new Set<string>();
  private inFlight = false;

  constructor(
    private readonly log: Logger,
    private readonly hooks: KoiHooks,
    private readonly rules: SafetyRuleSet,
    private readonly selfId: string,
  ) {}

  /**
   * Fencing promises no overlap at all: a previous master that has not reported to this leader since it
   * was dropped (silent, or heard but following no one here: deaf, cut one way) may still be demoting or
   * worse; only one whose reports show it released the role (R7 waits for those) needs no fence.
   * Returns what the election waits for (null when nothing), starting the fence when needed.
   */
  guard(check: FenceCheck): FenceWait | null {
    const { now, prev, deadTime, record } = check;
    if (prev.id === this.selfId) return null; // this leader's own runner reports locally; never fence this machine
    const silentFor = now - Math.max(check.lastHeard, record?.lastSeen ?? -Infinity);
    const reported = record !== undefined && record.state !== 'Disconnected' && record.lastSeen > prev.droppedAt;
    // A learned master gets master_dead_time to report before "not reported" counts against it.
    const unreported = !reported && (!prev.learned || now - prev.droppedAt > deadTime);
    if (!this.rules.on('fencing') || !hasTaps(this.hooks.onFence) || this.fenced.has(prev.id) || check.succeeded()) return null;
    if (silentFor > deadTime || unreported) {
      this.start(prev, record?.address ?? check.addressOf(prev.id), silentFor);
      return { code: 'fencing', message: `waiting for fencing of ${prev.name}` };
    }
    // A learned master heard but not reported yet: its report (it released the role) or, after its grace,
    // its fence — the election waits for one of them, not for neither (medium-profile seed 9410913: a new
    // leader elected inside the grace while the learned master, deaf, was still demoting).
    if (!reported) {
      return { code: 'fence-grace', message: `waiting for ${prev.name} (a master learned from a view or a follower) to report; fenced if it has not by then`, until: prev.droppedAt + deadTime };
    }
    return null;
  }

  private start(prev: PreviousMaster, address: string, silentFor: number): void {
    if (this.inFlight) return;
    this.inFlight = true;
    this.log.warn({ node: prev.id }, `fencing silent master ${prev.name} (${prev.id}), silent for ${Math.round(silentFor)} ms`);
    const request = { nodeId: prev.id, name: prev.name, addresses: address ? [address] : [], silentForMs: Math.round(silentFor) };
    this.hooks.onFence.promise(request).then((result) => {
      if (result?.ok) {
        this.fenced.add(prev.id);
        this.log.warn({ node: prev.id, detail: result.detail }, `fenced ${prev.name}: ${result.detail}`);
      } else {
        this.log.error({ node: prev.id, detail: result?.detail ?? 'no fencing plugin answered' },
          `fencing ${prev.name} failed: ${result?.detail ?? 'no fencing plugin answered'}; retrying`);
      }
    }, (err: unknown) => {
      this.log.error({ node: prev.id, err: String(err) }, `fencing ${prev.name} failed: ${String(err)}; retrying`);
    }).finally(() => {
      this.inFlight = false;
    });
  }
}
