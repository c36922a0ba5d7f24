/**
 * What the node hands every one of its components (membership, runner,
 * elector) when it creates them; their option interfaces extend this.
 */
import type { Clock, KoiConfig, KoiHooks, Logger } from '../../plugin-api';
import type { SafetyRuleSet } from '../safety-rules';

export interface ComponentContext {
  self: { id: string; name: string };
  config: KoiConfig;
  clock: Clock;
  logger: Logger;
  hooks: KoiHooks;
  /** Monotonic time the process started (uptime in heartbeats and status). */
  startedAt: number;
  /** The sequence number of this node's first message since `startedAt` (an in-process restart keeps the id and the counter, not the clock). */
  firstSeq: number;
  /** The safety rules in force (all of them, except in the simulator's teeth run). */
  rules: SafetyRuleSet;
}
