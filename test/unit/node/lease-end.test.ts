/**
 * docs/safety.md R3 end to end, as arithmetic: the leader's bound of the
 * runner's clock (core/node/peer-clocks.ts), the runner's record of the time
 * its clock lost (core/node/frozen-time.ts) and the runner's own cap, put
 * together as `Runner.leaseEndHere` does. The property: however the
 * heartbeats and grants are delayed, however the runner is paused before it
 * reads them, whatever the clock rates (each within ρ) and however many VM
 * pauses froze the runner's clock — many of them short, below any stall
 * threshold — the runner's lease ends (on its clock, with the time it loses
 * afterwards taken off as its stall guard does) no later than the real
 * instant the leader's clock reads grant + lease.
 */
import { PeerClocks } from '../../../core/node/peer-clocks';
import { FrozenTimeLedger } from '../../../core/node/frozen-time';
import { CLOCK_RATE_BOUND } from '../../../core/config/safety-bounds';
import type { Clock, TimerHandle } from '../../../plugin-api';

const RHO = CLOCK_RATE_BOUND;
const LEASE = 1200;

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The runner's clocks at real time `t` (ms): monotonic stands still in freezes, wall runs on. */
class RunnerClocks {
  t = 0;
  private readonly freezes: Array<[number, number]> = [];
  constructor(readonly rate: number, private readonly wallStart: number) {}
  addFreeze(from: number, ms: number): void {
    this.freezes.push([from, from + ms]);
  }
  frozenUntil(t: number): number {
    let sum = 0;
    for (const [a, b] of this.freezes) {
      if (a >= t) break;
      sum += Math.min(b, t) - a;
    }
    return sum;
  }
  /** The end of the freeze `t` falls in, or `t` when the runner runs then. */
  runningFrom(t: number): number {
    for (const [a, b] of this.freezes) if (a <= t && t < b) return b;
    return t;
  }
  mono(t = this.t): number {
    return this.rate * (t - this.frozenUntil(t));
  }
  clock(): Clock {
    const unused = (): TimerHandle => { throw new Error('no timers here'); };
    return { now: () => this.mono(), wallNow: () => Math.floor(this.wallStart + this.rate * this.t), setTimeout: unused, setInterval: unused, clear: () => undefined };
  }
}

function run(seed: number): number {
  const rnd = mulberry32(seed);
  const leaderRate = 1 + (rnd() * 2 - 1) * RHO;
  const runner = new RunnerClocks(1 + (rnd() * 2 - 1) * RHO, 1.7e12);
  const leaderAt = (t: number) => 5_000 + leaderRate * t;
  // Freezes: many short ones (below a 100 ms stall threshold) and a few long ones, none overlapping.
  for (let t = 500 + rnd() * 500; t < 60_000; t += 200 + rnd() * 2_000) {
    const ms = rnd() < 0.8 ? 5 + rnd() * 90 : 100 + rnd() * 1_500;
    runner.addFreeze(t, ms);
    t += ms;
  }
  const ledger = new FrozenTimeLedger(runner.clock());
  const clocks = new PeerClocks(RHO);
  const interval = 50 + Math.floor(rnd() * 4) * 100;
  let worst = -Infinity;
  let seq = 0;
  for (let t = 0; t < 60_000; t += interval * (0.8 + rnd() * 0.4)) {
    if (runner.runningFrom(t) !== t) continue; // frozen: sends nothing
    runner.t = t;
    ledger.note();
    // Its heartbeat: uptime floored, read by the leader after a delay (and now and then a pause of the leader).
    const uptime = Math.floor(runner.mono(t));
    const readAt = t + rnd() * 3 + (rnd() < 0.05 ? rnd() * 800 : 0);
    clocks.observe('r', uptime, 1, ++seq, leaderAt(readAt));
    // A grant some time later, read by the runner after a delay and maybe a stall of its own (SIGSTOP: clocks run).
    if (rnd() < 0.5) {
      const grantAt = readAt + rnd() * 2 * interval;
      const endLeader = leaderAt(grantAt) + LEASE;
      const bound = clocks.boundAt('r', endLeader)!;
      const receivedAt = runner.runningFrom(grantAt + rnd() * 3 + (rnd() < 0.1 ? rnd() * 1_000 : 0)); // read once it runs
      runner.t = receivedAt;
      const lost = ledger.lostSince(bound.observedUptimeMs);
      if (lost === null) continue;
      const endsAt = Math.min(bound.uptimeMs - lost, runner.mono(receivedAt) + LEASE);
      // The real instant the leader's clock reads grant + lease; the runner's clock then, with the time it lost
      // since reading the grant added back (its stall guard takes that off the lease as it finds it).
      const leaderEnd = (endLeader - 5_000) / leaderRate;
      const runnerThen = runner.mono(leaderEnd) + runner.rate * (runner.frozenUntil(leaderEnd) - runner.frozenUntil(receivedAt));
      worst = Math.max(worst, endsAt - runnerThen);
      runner.t = t;
    }
  }
  return worst;
}

test('a lease never ends after the leader\'s grant + lease: 200 runs of a minute, delays, pauses, clock rates and 5–1 600 ms VM pauses', () => {
  let worst = -Infinity;
  for (let seed = 1; seed <= 200; seed++) worst = Math.max(worst, run(seed));
  expect(worst).toBeLessThanOrEqual(0);
});
