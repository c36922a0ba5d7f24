/**
 * A VM pause the wall clock HID (stepped back during it), whose first entry after the resume decides on the
 * frozen clock before the buffered heartbeats that would tell the pause are read (a hostile review's question
 * of 2026-11-28; docs/safety.md R6, "a promote begins after a read"). Closed by that rule: each case below
 * gave two promoted masters before it (core/runner/runner.ts `awaitRead`); with the rule off
 * (`promote-after-read`, core/safety-rules.ts) both timers-first cases still do, as the tests below check.
 *
 * 1. The leader n_L is about to elect its OWN runner at the end of R2's wait. It is frozen as that timer falls
 *    due, for 3 s, with its wall clock stepped back by 3 s; meanwhile the two others elect a new leader, which
 *    promotes one of them. On resume n_L's timers run first (libuv: stopped in its timers phase), then its
 *    buffered datagrams. Its elector still sees its old quorum and elects its own runner; before the rule it
 *    promoted beside the other master (two-promoted at t=4915).
 * 2. A plain runner named just as it froze reads the stale grant in the first buffered datagram (that
 *    heartbeat's rise is below S and tells nothing) and turned Master; before the rule it promoted before the
 *    next datagrams told the pause (two-promoted at t=5911).
 *
 * A promote that waited for a peer's answer to a heartbeat sent since the runner turned Master was tried first
 * and refused: a pause right after the transition let a buffered answer, sent before it, vouch on resume.
 */
import type { SafetyRule } from '../../core/safety-rules';
import { SimCluster, type SimNode } from './sim-cluster';
import { expectNoViolations } from './helpers';

/** The rule under test, turned off to show each case is one it decides. */
const RULE_OFF: readonly SafetyRule[] = ['promote-after-read'];

/** Without the rule: the case gives two promoted masters. */
function expectTwoPromoted(sim: SimCluster): void {
  expect(sim.violations.map((v) => v.invariant)).toContain('two-promoted');
}

interface Run {
  sim: SimCluster;
  leader: SimNode;
  /** Virtual time n_L named its own runner master (decided there). */
  selfElectedAt: number | null;
}

async function coldStart(seed: number, disabledSafetyRules: readonly SafetyRule[] = []): Promise<Run> {
  const sim = new SimCluster({ seed, nodes: 3, quorum: 2, traceLines: 3000, serviceDurationMs: 20, disabledSafetyRules });
  const leaderIdx = sim.nodes.reduce((best, n, i) => (n.id > sim.nodes[best].id ? i : best), 0);
  const leader = sim.nodes[leaderIdx];
  const run: Run = { sim, leader, selfElectedAt: null };
  leader.hooks.onMasterChange.tap('review', (c) => {
    if (c.decidedHere && c.masterId === leader.id && run.selfElectedAt === null) run.selfElectedAt = sim.now;
  });
  await sim.start(leaderIdx);
  await sim.run(600);
  for (let i = 0; i < sim.nodes.length; i++) if (i !== leaderIdx) await sim.start(i);
  return run;
}

/** A VM pause of node `idx` for `pauseMs`, hidden by a wall-clock step back; the others elect and promote meanwhile. */
async function hiddenPauseWhileOthersPromote(sim: SimCluster, idx: number, pauseMs: number): Promise<void> {
  sim.vmPause(idx);
  await sim.run(100);
  sim.stepWall(idx, -pauseMs);
  await sim.run(pauseMs - 100);
  const others = sim.masters().filter((n) => n !== sim.nodes[idx]);
  expect(others.length).toBe(1);
  expect(sim.servicesPromoted(others[0])).toBe(true);
}

describe('a hidden VM pause whose first entry is the leader\'s own timer', () => {
  test('the leader does not promote (datagrams first)', async () => {
    await ownRunner(true);
  });
  test('the leader does not promote (timers first)', async () => {
    await ownRunner(false);
  });
  test('without the rule it promotes beside the other master (timers first)', async () => {
    await ownRunner(false, RULE_OFF);
  });
});

async function ownRunner(datagramsFirst: boolean, off: readonly SafetyRule[] = []): Promise<void> {
  // The leader does not promote its own runner beside a master elected during its hidden pause.
  {
    const SEED = 4242;
    const PAUSE = 3_000;
    // Run 1: when does the leader elect its own runner?
    const probe = await coldStart(SEED);
    await probe.sim.runUntil(() => probe.selfElectedAt !== null, 10_000);
    const at = probe.selfElectedAt;
    probe.sim.shutdown();
    expect(at).not.toBeNull();

    // Run 2: the same schedule, the leader frozen as that entry falls due, the pause hidden by a step back.
    const run = await coldStart(SEED, off);
    const { sim, leader } = run;
    await sim.runBefore(at!);
    expect(run.selfElectedAt).toBeNull();
    const idx = sim.nodes.indexOf(leader);
    await hiddenPauseWhileOthersPromote(sim, idx, PAUSE);
    sim.resume(idx, datagramsFirst);
    await sim.run(2_000);
    if (off.length > 0) expectTwoPromoted(sim);
    else expectNoViolations(sim);
    sim.shutdown();
  }
}

describe('a hidden VM pause of a runner, a stale grant read before the datagrams that tell the pause', () => {
  test('a runner named just as it froze does not promote on resume beside the master elected meanwhile', async () => {
    await staleGrant([]);
  });
  test('without the rule it promotes beside the other master', async () => {
    await staleGrant(RULE_OFF);
  });
});

async function staleGrant(off: readonly SafetyRule[]): Promise<void> {
  {
    const SEED = 4343;
    const PAUSE = 4_000;
    const build = async (): Promise<{ sim: SimCluster; named: { id: string; at: number } | null }> => {
      const sim = new SimCluster({ seed: SEED, nodes: [{ runner: false }, { elector: false }, { elector: false }], quorum: 2, traceLines: 3000, serviceDurationMs: 20, disabledSafetyRules: off });
      const out = { sim, named: null as { id: string; at: number } | null };
      sim.nodes[0].hooks.onMasterChange.tap('review', (c) => {
        if (c.decidedHere && c.masterId && out.named === null) out.named = { id: c.masterId, at: sim.now };
      });
      await sim.startAll();
      return out;
    };
    const probe = await build();
    await probe.sim.runUntil(() => probe.named !== null, 10_000);
    const named = probe.named;
    probe.sim.shutdown();
    expect(named).not.toBeNull();

    const { sim } = await build();
    await sim.run(named!.at - sim.now); // the leader's entry that names it has run; its grant is in flight
    const idx = sim.nodes.findIndex((n) => n.id === named!.id);
    const runner = sim.nodes[idx];
    expect(runner.koi.runnerState()).not.toBe('Master');
    await hiddenPauseWhileOthersPromote(sim, idx, PAUSE);
    sim.resume(idx, false);
    await sim.run(2_000);
    if (off.length > 0) expectTwoPromoted(sim);
    else expectNoViolations(sim);
    sim.shutdown();
  }
}
