/**
 * The safety rules of docs/safety.md by name. A rule is always on in a real
 * node; the simulator's teeth run (`npm run chaos:teeth`) turns one off at a
 * time through `KoiNodeOptions.disabledSafetyRules` to prove the random
 * schedules catch its absence. Nothing outside test/ and scripts/chaos-teeth
 * may disable a rule.
 */
export const SAFETY_RULES = [
  /** A leader elects a new master only after lease + margin of unbroken lease quorum (core/elector/lease-rules.ts). */
  'unconditional-wait',
  /** A master demotes when its lease runs out (core/runner/runner.ts). */
  'runner-lease-expiry',
  /** A leader renews a lease only while a quorum acknowledges it (core/elector/lease-rules.ts). */
  'renewal-ack-quorum',
  /**
   * No promotion — an election, or the renewal that promotes a named master that is not Master — while another
   * runner still reports promoted services or was heard again without reporting yet (election-gate.ts
   * promotedServicesWait, elector.ts).
   */
  'promoted-services-guard',
  /** A stall (monotonic or wall-clock gap) demotes / steps down before anything else (core/node/stall-guard.ts). */
  'stall-guard',
  /** With an onFence tap, a silent master is fenced before its replacement is promoted (core/elector/fencing.ts). */
  'fencing',
  /** A follower acknowledges one leader at a time, with a gap when it switches (core/membership/membership.ts). */
  'exclusive-acks',
  /** A runner's promote begins only once its node has read its sockets dry since it turned Master (core/node/read-barrier.ts). */
  'promote-after-read',
  /** A leader without a master owes the replacement of a master its followers remember (core/membership/membership.ts knownMaster). */
  'known-master',
] as const;

export type SafetyRule = (typeof SAFETY_RULES)[number];

/** Which rules are in force; `on(rule)` is true unless the teeth run disabled it. */
export interface SafetyRuleSet {
  on(rule: SafetyRule): boolean;
}

export function safetyRules(disabled: readonly SafetyRule[] = []): SafetyRuleSet {
  const off = new Set<SafetyRule>(disabled);
  return { on: (rule) => !off.has(rule) };
}

export const ALL_RULES_ON: SafetyRuleSet = safetyRules();
