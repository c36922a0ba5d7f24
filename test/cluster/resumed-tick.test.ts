/**
 * A VM pause the wall clock HID (stepped back during it), after which a promote is decided on the frozen clock
 * before anything tells the pause (two hostile reviews of 2026-11-28; docs/safety.md R6, "a promote begins
 * after a fresh read"). Each case gives two promoted masters with the rule off (`promote-after-read`,
 * core/safety-rules.ts), as its twin below checks, and none with it (core/node/fresh-read.ts,
 * Runner.mayLaunchPromote).
 *
 * Buffered: what the peers sent during the pause waited in the socket.
 * 1. The leader n_L is about to elect its OWN runner at the end of R2's wait. It is frozen as that timer falls
 *    due, for 3 s, while the two others elect a new leader, which promotes one of them. On resume n_L's timers
 *    run first (libuv: stopped in its timers phase), then its buffered datagrams: its elector still sees its
 *    old quorum and elects its own runner (two promoted at t=4915 without the rule).
 * 2. A plain runner named just as it froze reads the stale grant in the first buffered datagram (that
 *    heartbeat's rise is below S and tells nothing) and turns Master before the next datagrams tell the pause
 *    (t=5910).
 * Nothing buffered (deaf during the pause, as a live migration drops packets, healed at the resume): the same
 *    two, told only by the first heartbeat sent after the pause — a drained socket proves nothing then.
 * 3. An asynchronous `onMessage` tap (an audit log written in order, 1 ms a write): the heartbeats behind the
 *    stale grant are read but still in the tap when the socket is empty.
 * 4. The next service of a promote in priority order, begun by the end of the first one's script: the runner
 *    froze as that script ended, and on resume hears its exit before the datagrams (libuv learns of it in the
 *    same poll phase, in whatever order epoll returns them).
 *
 * A promote that waited for a peer's answer to a heartbeat sent since the runner turned Master was tried first
 * and refused: a pause right after the transition let a buffered answer, sent before it, vouch on resume.
 */
import type { SafetyRule } from '../../core/safety-rules';
import { SimCluster, type SimNode } from './sim-cluster';
import { expectNoViolations } from './helpers';

/** The rule under test, turned off to show each case is one it decides. */
const RULE_OFF: readonly SafetyRule[] = ['promote-after-read'];

function expectOutcome(sim: SimCluster, off: readonly SafetyRule[]): void {
  if (off.length > 0) expect(sim.violations.map((v) => v.invariant)).toContain('two-promoted');
  else expectNoViolations(sim);
}

/** How the pause ends: where libuv stood, and whether what the peers sent meanwhile waited in the socket. */
interface Pause {
  datagramsFirst: boolean;
  /** Deaf from this many ms into the pause (what is sent to it is lost), healed at the resume; null: never. */
  deafAfterMs: number | null;
}

/** A VM pause of node `idx` for `pauseMs`, hidden by a wall-clock step back; the others elect and promote meanwhile. */
async function hiddenPauseWhileOthersPromote(sim: SimCluster, idx: number, pauseMs: number, pause: Pause): Promise<void> {
  sim.vmPause(idx);
  const deafAt = pause.deafAfterMs ?? Infinity;
  if (deafAt < 100) {
    await sim.run(deafAt);
    sim.deaf(idx);
  }
  await sim.run(100 - Math.min(deafAt, 100));
  sim.stepWall(idx, -pauseMs);
  await sim.run(pauseMs - 100);
  const others = sim.masters().filter((n) => n !== sim.nodes[idx]);
  expect(others.length).toBe(1);
  expect(sim.servicesPromoted(others[0])).toBe(true);
  if (pause.deafAfterMs !== null) sim.heal();
  sim.resume(idx, pause.datagramsFirst);
}

// ---- 1: the leader's own timer -------------------------------------------------------------------------

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

async function ownRunner(pause: Pause, off: readonly SafetyRule[] = []): Promise<void> {
  const SEED = 4242;
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
  await hiddenPauseWhileOthersPromote(sim, sim.nodes.indexOf(leader), 3_000, pause);
  await sim.run(2_000);
  expectOutcome(sim, off);
  sim.shutdown();
}

describe('1: a hidden pause whose first entry is the leader\'s own timer', () => {
  test('the leader does not promote (datagrams first)', () => ownRunner({ datagramsFirst: true, deafAfterMs: null }));
  test('the leader does not promote (timers first)', () => ownRunner({ datagramsFirst: false, deafAfterMs: null }));
  test('without the rule it promotes beside the other master (timers first)', () => ownRunner({ datagramsFirst: false, deafAfterMs: null }, RULE_OFF));
  test('deaf during the pause: the leader does not promote (timers first)', () => ownRunner({ datagramsFirst: false, deafAfterMs: 0 }));
  test('deaf during the pause: the leader does not promote (datagrams first)', () => ownRunner({ datagramsFirst: true, deafAfterMs: 0 }));
  test('deaf during the pause: without the rule it promotes (datagrams first)', () => ownRunner({ datagramsFirst: true, deafAfterMs: 0 }, RULE_OFF));
});

// ---- 2-4: a runner named just as it froze ----------------------------------------------------------------

interface Named {
  sim: SimCluster;
  named: { id: string; at: number } | null;
}

/** A leader without a runner and two runners without an elector: the first naming's time, in a probe run. */
async function namedCluster(off: readonly SafetyRule[], tap?: (sim: SimCluster) => void): Promise<Named> {
  const sim = new SimCluster({
    seed: 4343, nodes: [{ runner: false }, { elector: false }, { elector: false }], quorum: 2, traceLines: 3000, serviceDurationMs: 20,
    disabledSafetyRules: off,
  });
  const out: Named = { sim, named: null };
  tap?.(sim);
  sim.nodes[0].hooks.onMasterChange.tap('review', (c) => {
    if (c.decidedHere && c.masterId && out.named === null) out.named = { id: c.masterId, at: sim.now };
  });
  await sim.startAll();
  return out;
}

async function firstNaming(tap?: (sim: SimCluster) => void): Promise<{ id: string; at: number }> {
  const probe = await namedCluster([], tap);
  await probe.sim.runUntil(() => probe.named !== null, 10_000);
  probe.sim.shutdown();
  expect(probe.named).not.toBeNull();
  return probe.named!;
}

async function staleGrant(pause: Pause, off: readonly SafetyRule[] = [], tap?: (sim: SimCluster) => void): Promise<void> {
  const named = await firstNaming(tap);
  const { sim } = await namedCluster(off, tap);
  await sim.run(named.at - sim.now); // the leader's entry that names it has run; its grant is in flight
  const idx = sim.nodes.findIndex((n) => n.id === named.id);
  expect(sim.nodes[idx].koi.runnerState()).not.toBe('Master');
  await hiddenPauseWhileOthersPromote(sim, idx, 4_000, pause);
  await sim.run(2_000);
  expectOutcome(sim, off);
  sim.shutdown();
}

describe('2: a runner named just as it froze reads the stale grant first', () => {
  test('it does not promote beside the master elected meanwhile', () => staleGrant({ datagramsFirst: false, deafAfterMs: null }));
  test('without the rule it promotes beside the other master', () => staleGrant({ datagramsFirst: false, deafAfterMs: null }, RULE_OFF));
  test('deaf after the grant: it does not promote', () => staleGrant({ datagramsFirst: true, deafAfterMs: 20 }));
  test('deaf after the grant: without the rule it promotes', () => staleGrant({ datagramsFirst: true, deafAfterMs: 20 }, RULE_OFF));
});

/** Every node's onMessage tap writes an audit record in order, 1 ms a write: datagrams are routed after it. */
function auditTap(sim: SimCluster): void {
  for (const node of sim.nodes) {
    let chain: Promise<void> = Promise.resolve();
    node.hooks.onMessage.tapPromise('audit', () => {
      chain = chain.then(() => new Promise<void>((resolve) => { node.clock.setTimeout(resolve, 1); }));
      return chain.then(() => undefined);
    });
  }
}

describe('3: an asynchronous onMessage tap', () => {
  test('the heartbeats behind the stale grant are still in the tap: it does not promote', () => staleGrant({ datagramsFirst: true, deafAfterMs: null }, [], auditTap));
  test('without the rule it promotes', () => staleGrant({ datagramsFirst: true, deafAfterMs: null }, RULE_OFF, auditTap));
});

async function nextService(off: readonly SafetyRule[]): Promise<void> {
  const named = await firstNaming();
  const { sim } = await namedCluster(off);
  const idx = sim.nodes.findIndex((n) => n.id === named.id);
  const scripts = sim.nodes[idx].executor.services;
  const promoting = (): number[] => [...scripts.values()].flatMap((b) => (b.openSince === null ? [] : [b.openSince]));
  await sim.run(named.at - sim.now);
  expect(await sim.runUntil(() => promoting().length > 0, 1_000)).not.toBeNull(); // its first promote script began
  await sim.runBefore(Math.min(...promoting()) + 20); // frozen as that script's end falls due (serviceDurationMs)
  expect(sim.nodes[idx].koi.runnerState()).toBe('Master');
  // libuv learns of the script's exit in the poll phase that reads the datagrams, in whatever order epoll
  // returns them; the simulator hears it on a script timer after the daemon's own: here it comes first.
  (sim.nodes[idx].clock as unknown as { setScriptTimeout?: unknown }).setScriptTimeout = undefined;
  await hiddenPauseWhileOthersPromote(sim, idx, 4_000, { datagramsFirst: false, deafAfterMs: null });
  await sim.run(2_000);
  expectOutcome(sim, off);
  sim.shutdown();
}

describe('4: the next service of a promote in priority order', () => {
  test('a runner frozen as its first promote script ends does not begin the next on resume', () => nextService([]));
  test('without the rule it begins it beside the other master', () => nextService(RULE_OFF));
});
