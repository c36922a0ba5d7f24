/**
 * docs/safety.md R3 end to end, as arithmetic: the leader's bound of the
 * runner's clock (core/node/peer-clocks.ts), the runner's ledger of the time
 * its clock lost (core/node/frozen-time.ts), and the runner's reckoning —
 * the grant's end less what was lost since the heartbeat it comes from,
 * capped at its own lease, then less what is lost after (as
 * `Runner.leaseEndHere` and `Runner.leaseEnd` do). Events run in real-time
 * order. The property: however heartbeats and grants are delayed, however
 * the runner is paused before it reads them, whatever the clock rates (each
 * within ρ), however many VM pauses freeze the runner's monotonic clock —
 * most of them short, below any stall threshold, before or after the grant
 * is read — and with the wall clock stepped back and forth now and then (each
 * step alone between two entries of the node), the
 * runner, at its first entry at or after the instant the leader's clock reads
 * grant + lease, finds its lease over.
 */
import { PeerClocks } from '../../../core/node/peer-clocks';
import { FrozenTimeLedger } from '../../../core/node/frozen-time';
import { CLOCK_RATE_BOUND } from '../../../core/config/safety-bounds';
import { Prng } from '../../cluster/prng';
import type { Clock, TimerHandle } from '../../../plugin-api';

const RHO = CLOCK_RATE_BOUND;
const LEASE = 1200;
const MINUTE = 60_000;

/** The simulator's seeded PRNG (mulberry32): a seed replays the run. */
function mulberry32(seed: number): () => number {
  const prng = new Prng(seed);
  return () => prng.next();
}

/** The runner's clocks at real time `t`: monotonic stands still in freezes; the wall clock runs on and is stepped. */
class RunnerClocks {
  t = 0;
  readonly freezes: Array<[number, number]> = [];
  readonly steps: Array<[number, number]> = [];
  constructor(readonly rate: number, private readonly wallStart: number) {}
  frozenUntil(t: number): number {
    let sum = 0;
    for (const [a, b] of this.freezes) {
      if (a >= t) break;
      sum += Math.min(b, t) - a;
    }
    return sum;
  }
  /** `t`, or the end of the freeze it falls in. */
  runningFrom(t: number): number {
    for (const [a, b] of this.freezes) if (a <= t && t < b) return b;
    return t;
  }
  mono(t = this.t): number {
    return this.rate * (t - this.frozenUntil(t));
  }
  wall(t = this.t): number {
    return Math.floor(this.wallStart + this.rate * t + this.steps.filter(([at]) => at <= t).reduce((s, [, ms]) => s + ms, 0));
  }
  clock(): Clock {
    const unused = (): TimerHandle => { throw new Error('no timers here'); };
    return { now: () => this.mono(), wallNow: () => this.wall(), setTimeout: unused, setInterval: unused, setImmediate: unused, clear: () => undefined };
  }
}

type Event =
  | { at: number; kind: 'entry' }
  | { at: number; kind: 'observe'; uptime: number; seq: number }
  | { at: number; kind: 'grant' }
  | { at: number; kind: 'read'; endLeader: number; bound: { uptimeMs: number; observedUptimeMs: number } }
  | { at: number; kind: 'check'; endsAt: number; lostAtRead: number; endLeader: number };

function run(seed: number): number {
  const rnd = mulberry32(seed);
  const leaderRate = 1 + (rnd() * 2 - 1) * RHO;
  const runner = new RunnerClocks(1 + (rnd() * 2 - 1) * RHO, 1.7e12);
  const leaderAt = (t: number) => 5_000 + leaderRate * t;
  const realAtLeader = (c: number) => (c - 5_000) / leaderRate;
  for (let t = 300 + rnd() * 500; t < MINUTE; t += 100 + rnd() * 1_500) {
    const ms = rnd() < 0.8 ? 3 + rnd() * 95 : 100 + rnd() * 1_500;
    runner.freezes.push([t, t + ms]);
    t += ms;
  }
  const ledger = new FrozenTimeLedger(runner.clock());
  const clocks = new PeerClocks(RHO);
  const interval = 20 + Math.floor(rnd() * 4) * 100;
  const queue: Event[] = [];
  const push = (e: Event): void => {
    let i = queue.length;
    while (i > 0 && queue[i - 1].at > e.at) i--;
    queue.splice(i, 0, e);
  };
  let seq = 0;
  for (let t = 0; t < MINUTE; t += interval * (0.8 + rnd() * 0.4)) push({ at: t, kind: 'entry' });
  let worst = -Infinity;
  while (queue.length > 0) {
    const e = queue.shift()!;
    if (e.kind === 'entry' || e.kind === 'read' || e.kind === 'check') {
      if (runner.runningFrom(e.at) !== e.at) { push({ ...e, at: runner.runningFrom(e.at) }); continue; } // frozen: later
      runner.t = e.at;
      ledger.note(); // every entry of the node notes the clocks first (StallGuard.check)
      if (rnd() < 0.01) {
        // The wall clock stepped back or forth, alone in its gap between two entries (a pause it hides in the
        // same gap is the peers' to witness, beyond the stall threshold: F in R3's margin).
        runner.steps.push([e.at, (rnd() < 0.5 ? -1 : 1) * rnd() * 2_000]);
        ledger.note();
      }
    }
    if (e.kind === 'entry') {
      // A heartbeat, uptime floored; the leader reads it after a delay (now and then after a pause of its own).
      const readAt = e.at + rnd() * 3 + (rnd() < 0.05 ? rnd() * 800 : 0);
      push({ at: readAt, kind: 'observe', uptime: Math.floor(runner.mono()), seq: ++seq });
    } else if (e.kind === 'observe') {
      clocks.observe('r', e.uptime, 1, e.seq, leaderAt(e.at));
      if (rnd() < 0.5) push({ at: e.at + rnd() * 2 * interval, kind: 'grant' });
    } else if (e.kind === 'grant') {
      const endLeader = leaderAt(e.at) + LEASE;
      const bound = clocks.boundAt('r', endLeader)!;
      push({ at: e.at + rnd() * 3 + (rnd() < 0.1 ? rnd() * 1_000 : 0), kind: 'read', endLeader, bound });
    } else if (e.kind === 'read') {
      const lost = ledger.lostSince(e.bound.observedUptimeMs);
      if (lost === null) continue;
      const endsAt = Math.min(e.bound.uptimeMs - lost, runner.mono() + LEASE);
      push({ at: realAtLeader(e.endLeader), kind: 'check', endsAt, lostAtRead: ledger.lostSoFar(), endLeader: e.endLeader });
    } else {
      // The first entry at or after the leader's grant + lease: the lease, less what was lost since the read, is over.
      const end = e.endsAt - (ledger.lostSoFar() - e.lostAtRead);
      worst = Math.max(worst, end - runner.mono());
    }
  }
  return worst;
}

test('a lease never outlives the leader\'s grant + lease: 60 simulated minutes of delays, pauses, clock rates, wall steps and 3–1 600 ms VM pauses', () => {
  let worst = -Infinity;
  for (let seed = 1; seed <= 60; seed++) worst = Math.max(worst, run(seed));
  expect(worst).toBeLessThanOrEqual(0);
});
