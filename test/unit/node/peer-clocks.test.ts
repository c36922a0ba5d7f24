/**
 * core/node/peer-clocks.ts: the lower bound of a peer's clock that R3's lease
 * ends rest on (docs/safety.md). The property: whatever the delays, the
 * pauses of the receiving node before it reads a heartbeat and the two
 * clocks' rates (each within ρ of real time), the peer's uptime at any later
 * instant is at least the bound given for it — and the bound is not far
 * below it when some heartbeats arrive promptly.
 */
import { PEER_CLOCK_STRETCH_MS, PeerClocks } from '../../../core/node/peer-clocks';
import { CLOCK_RATE_BOUND } from '../../../core/config/safety-bounds';
import { Prng } from '../../cluster/prng';

/** The simulator's seeded PRNG (mulberry32): a seed replays the run. */
function mulberry32(seed: number): () => number {
  const prng = new Prng(seed);
  return () => prng.next();
}

const RHO = CLOCK_RATE_BOUND;

interface Run {
  /** Worst (bound − true uptime) over every query: must stay ≤ 0. */
  worstExcessMs: number;
  /** Worst (true uptime − bound) over queries shortly after a prompt heartbeat: how much the bound gives away. */
  worstSlackMs: number;
}

/** One peer heard for `beats` heartbeats `intervalMs` apart; queries at random times, each a grant's end. */
function simulate(seed: number, beats: number, intervalMs: number): Run {
  const rnd = mulberry32(seed);
  const rate = () => 1 + (rnd() * 2 - 1) * RHO;
  const here = { rate: rate(), origin: rnd() * 1e6 };
  const peer = { rate: rate(), origin: rnd() * 1e6 };
  const hereAt = (t: number) => here.origin + here.rate * t;
  const peerAt = (t: number) => peer.origin + peer.rate * t;
  const clocks = new PeerClocks(RHO);
  let worstExcessMs = -Infinity;
  let worstSlackMs = -Infinity;
  let readyAt = 0; // this node reads datagrams only from here (a pause before it: SIGSTOP, GC)
  const arrivals: Array<{ readAt: number; uptime: number; seq: number; delay: number }> = [];
  for (let i = 0; i < beats; i++) {
    const sentAt = i * intervalMs + rnd() * intervalMs * 0.2;
    const delay = rnd() < 0.7 ? rnd() * 2 : rnd() * 40;
    if (rnd() < 0.05) readyAt = sentAt + rnd() * 3000; // paused, up to 3 s
    const readAt = Math.max(sentAt + delay, readyAt);
    arrivals.push({ readAt, uptime: Math.floor(peerAt(sentAt)), seq: i + 1, delay: readAt - sentAt });
  }
  arrivals.sort((a, b) => a.readAt - b.readAt);
  let lastPrompt = -Infinity;
  for (const a of arrivals) {
    clocks.observe('p', a.uptime, 1, a.seq, hereAt(a.readAt));
    if (a.delay <= 2) lastPrompt = a.readAt;
    // A grant made now whose lease ends up to 2 s later: where the bound puts that end on the peer's clock.
    const endsAfter = rnd() * 2000;
    const endReal = a.readAt + endsAfter;
    const bound = clocks.boundAt('p', hereAt(endReal))!;
    worstExcessMs = Math.max(worstExcessMs, bound.uptimeMs - peerAt(endReal));
    if (a.readAt - lastPrompt < 100) worstSlackMs = Math.max(worstSlackMs, peerAt(endReal) - bound.uptimeMs);
  }
  return { worstExcessMs, worstSlackMs };
}

test('the bound never runs ahead of the peer\'s clock: 300 runs of 2 000 heartbeats, random delays, pauses and clock rates', () => {
  let excess = -Infinity;
  let slack = -Infinity;
  for (let seed = 1; seed <= 300; seed++) {
    const run = simulate(seed, 2000, 50 + (seed % 4) * 100);
    excess = Math.max(excess, run.worstExcessMs);
    slack = Math.max(slack, run.worstSlackMs);
  }
  expect(excess).toBeLessThanOrEqual(0);
  // What it gives away: the prompt heartbeat's delay (≤ 2 ms) and 2ρ over its age plus the lease (≤ 2.1 s): ≈ 90 ms.
  expect(slack).toBeLessThan(2 + 4 * RHO * 2100 + 1);
});

test('the least-delayed heartbeat is kept until a better one comes; the bound sinks at 2ρ meanwhile', () => {
  const clocks = new PeerClocks(RHO);
  clocks.observe('p', 10_000, 1, 1, 1_000); // offset 9 000
  clocks.observe('p', 10_100, 1, 2, 1_130); // 30 ms late: offset 8 970, below the sunk 8 997.4
  expect(clocks.boundAt('p', 2_130)).toEqual({ uptimeMs: 2_130 + 9_000 - 2 * RHO * 1_130, observedUptimeMs: 10_000, observedSeq: 1 });
  clocks.observe('p', 10_200, 1, 3, 1_200); // prompt again: offset 9 000 ≥ sunk 8 996
  expect(clocks.boundAt('p', 1_200)).toEqual({ uptimeMs: 10_200, observedUptimeMs: 10_200, observedSeq: 3 });
});

test('a reordered older heartbeat is ignored; a restarted peer (uptime back) starts afresh; an unknown peer has no bound', () => {
  const clocks = new PeerClocks(RHO);
  expect(clocks.boundAt('p', 0)).toBeNull();
  clocks.observe('p', 10_000, 1, 5, 1_000);
  clocks.observe('p', 50_000, 1, 4, 1_001); // older sequence number: not used, whatever it says
  expect(clocks.boundAt('p', 1_001)?.observedSeq).toBe(5);
  clocks.observe('p', 20, 1, 6, 1_100); // restarted in-process: uptime from 0
  expect(clocks.boundAt('p', 1_100)).toEqual({ uptimeMs: 20, observedUptimeMs: 20, observedSeq: 6 });
});

test('a peer restarted in-process and heard again only once its new uptime passed the old one: its new clock, from the sequence number it began at', () => {
  const clocks = new PeerClocks(RHO);
  clocks.observe('p', 9_000, 1, 180, 9_000); // offset 0
  // Restarted at 9 100 (sequence 200 onwards, uptime from 0), not heard until 30 000: uptime 20 900, offset −9 100.
  clocks.observe('p', 20_900, 200, 260, 30_000);
  expect(clocks.boundAt('p', 30_000)).toEqual({ uptimeMs: 20_900, observedUptimeMs: 20_900, observedSeq: 260 });
});

test('after the peer\'s clock lost time (a VM pause) the bound follows its new clock within two stretches, instead of sinking 2 % a second below it', () => {
  const clocks = new PeerClocks(RHO);
  let seq = 0;
  for (let t = 0; t <= 4_000; t += 15) clocks.observe('p', 10_000 + t, 1, ++seq, t); // offset 10 000
  // Frozen 450 ms (silent meanwhile): from then on its uptime is 450 ms lower for the same time here.
  const end = 4_450 + 2 * PEER_CLOCK_STRETCH_MS + 15;
  for (let t = 4_465; t <= end; t += 15) clocks.observe('p', 10_000 - 450 + t, 1, ++seq, t);
  const now = end;
  const bound = clocks.boundAt('p', now + 150)!;
  const truth = 10_000 - 450 + now + 150;
  expect(bound.uptimeMs).toBeLessThanOrEqual(truth);
  expect(truth - bound.uptimeMs).toBeLessThan(2 * RHO * (2 * PEER_CLOCK_STRETCH_MS + 150) + 1);
  expect(bound.observedUptimeMs).toBeGreaterThan(10_000 - 450 + 4_000);
});
