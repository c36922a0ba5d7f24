/**
 * The stall guard's third witness (docs/safety.md R6): peers' monotonic
 * uptimes. A freeze of this node's own clocks must be found from heartbeats
 * that waited in the socket buffer; delay jitter and clock-rate drift within
 * the bound must never be read as a freeze.
 */
import fc from 'fast-check';
import { StallGuard } from '../../../core/node/stall-guard';
import type { Clock } from '../../../plugin-api';

const THRESHOLD = 200;
const BOUNDS = { gapMs: THRESHOLD, stallMs: THRESHOLD, frozenMs: THRESHOLD };
let seq = 0;
/** Each heartbeat a newer sequence number, as the codec gives them. */
const next = (): number => ++seq;
const RATE = 0.01;
/** A baseline's youth for the 100 ms heartbeats of most cases (witnessYouthMs: 4 heartbeats). */
const YOUTH = 400;

function manualClock(): Clock & { t: number } {
  const c = {
    t: 0,
    now: () => c.t,
    wallNow: () => 1_700_000_000_000 + c.t,
    setTimeout: () => ({ id: 0 }),
    setInterval: () => ({ id: 0 }),
    setImmediate: () => ({ id: 0 }),
    clear: () => undefined,
  };
  return c as unknown as Clock & { t: number };
}

test('heartbeats that waited through a freeze add up to it, and report it (in parts) only once in total', () => {
  const clock = manualClock();
  const guard = new StallGuard(clock);
  // Peer uptime = our time + 5000 (it started earlier); 100 ms heartbeats, 1 ms delay.
  for (let i = 0; i < 50; i++) {
    clock.t = i * 100 + 1;
    expect(guard.peerBeat('p', 5000 + i * 100, next(), 0, { thresholdMs: THRESHOLD, rateBound: RATE, youthMs: YOUTH, delayMs: 0 })).toBeNull();
  }
  // Frozen for 8 s from t = 5001: 80 heartbeats wait in the buffer and arrive at once.
  clock.t = 5002;
  let frozen = 0;
  for (let i = 50; i < 130; i++) frozen += guard.peerBeat('p', 5000 + i * 100, next(), 0, { thresholdMs: THRESHOLD, rateBound: RATE, youthMs: YOUTH, delayMs: 0 })?.frozenMs ?? 0;
  expect(frozen).toBeGreaterThan(8000 - THRESHOLD - 100);
  expect(frozen).toBeLessThanOrEqual(8000);
  // After it, normal heartbeats are quiet again.
  for (let i = 130; i < 200; i++) {
    clock.t = 5002 + (i - 129) * 100;
    expect(guard.peerBeat('p', 5000 + i * 100 + 8000 - 8000, next(), 0, { thresholdMs: THRESHOLD, rateBound: RATE, youthMs: YOUTH, delayMs: 0 })).toBeNull();
  }
});

test('a peer restarted in-process and heard again only after its new uptime passed the old one still witnesses a freeze (its clock began at another sequence number)', () => {
  const clock = manualClock();
  const guard = new StallGuard(clock);
  // The old clock ran 9 s ahead of ours; the restarted one (from sequence 500) is level with ours.
  for (let i = 0; i < 20; i++) {
    clock.t = i * 100 + 1;
    guard.peerBeat('p', 9000 + i * 100, next(), 1, { thresholdMs: THRESHOLD, rateBound: RATE, youthMs: YOUTH, delayMs: 0 });
  }
  for (let i = 0; i < 20; i++) {
    clock.t = 20_000 + i * 100 + 1;
    expect(guard.peerBeat('p', 20_000 + i * 100, next(), 500, { thresholdMs: THRESHOLD, rateBound: RATE, youthMs: YOUTH, delayMs: 0 })).toBeNull();
  }
  // Our clock frozen 1 s: the buffered heartbeat is 1 s ahead of the new clock's baseline (never of the old one's).
  clock.t = 22_002;
  expect(guard.peerBeat('p', 23_000, next(), 500, { thresholdMs: THRESHOLD, rateBound: RATE, youthMs: YOUTH, delayMs: 0 })?.frozenMs).toBeGreaterThan(900);
});

test('a second peer does not report the same freeze again', () => {
  const clock = manualClock();
  const guard = new StallGuard(clock);
  for (let i = 0; i < 20; i++) {
    clock.t = i * 100 + 1;
    guard.peerBeat('a', 1000 + i * 100, next(), 0, { thresholdMs: THRESHOLD, rateBound: RATE, youthMs: YOUTH, delayMs: 0 });
    guard.peerBeat('b', 9000 + i * 100, next(), 0, { thresholdMs: THRESHOLD, rateBound: RATE, youthMs: YOUTH, delayMs: 0 });
  }
  clock.t = 1902;
  expect(guard.peerBeat('a', 1000 + 70 * 100, next(), 0, { thresholdMs: THRESHOLD, rateBound: RATE, youthMs: YOUTH, delayMs: 0 })?.frozenMs).toBeGreaterThan(4000);
  expect(guard.peerBeat('b', 9000 + 70 * 100, next(), 0, { thresholdMs: THRESHOLD, rateBound: RATE, youthMs: YOUTH, delayMs: 0 })).toBeNull();
});

test('property: delay jitter (and read lateness) below the threshold less the rate bound over an interval and a threshold, and drift within the rate bound, are never a freeze (full-size runs)', () => {
  // A grown baseline moves only by the rate bound: it may sink by 2ρ of each heartbeat's interval and delay
  // below the least-delayed offset, so the spread a heartbeat may show is S − 2ρ(I + S) (a review found a false
  // freeze at a spread of S − 1 ms, I = 28 ms).
  fc.assert(fc.property(
    fc.double({ min: -RATE, max: RATE, noNaN: true }),
    fc.integer({ min: 20, max: 2000 }),
    fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 2000, maxLength: 2000 }),
    fc.integer({ min: 0, max: 100_000 }),
    (drift, intervalMs, spread, peerStart) => {
      const clock = manualClock();
      const guard = new StallGuard(clock);
      const maxDelay = THRESHOLD - 2 * RATE * (intervalMs + THRESHOLD) - 1;
      let lastArrival = 0;
      for (let i = 0; i < spread.length; i++) {
        const sentAt = i * intervalMs;
        // Datagrams from one peer arrive in order.
        const arrival = Math.max(lastArrival, sentAt + spread[i] * maxDelay);
        lastArrival = arrival;
        clock.t = arrival;
        const stall = guard.peerBeat('p', peerStart + sentAt * (1 + drift), next(), 0, { thresholdMs: THRESHOLD, rateBound: RATE, youthMs: 4 * intervalMs, delayMs: 0 });
        if (stall) throw new Error(`false freeze of ${stall.frozenMs} ms at beat ${i} (drift ${drift}, interval ${intervalMs})`);
      }
    },
  ), { numRuns: 200 });
});

test('a peer that restarted (its uptime went back) starts a new baseline instead of reading as a freeze', () => {
  const clock = manualClock();
  const guard = new StallGuard(clock);
  for (let i = 0; i < 20; i++) {
    clock.t = i * 100;
    guard.peerBeat('p', 50_000 + i * 100, next(), 0, { thresholdMs: THRESHOLD, rateBound: RATE, youthMs: YOUTH, delayMs: 0 });
  }
  clock.t = 2100;
  expect(guard.peerBeat('p', 10, next(), 0, { thresholdMs: THRESHOLD, rateBound: RATE, youthMs: YOUTH, delayMs: 0 })).toBeNull();
  clock.t = 2200;
  expect(guard.peerBeat('p', 110, next(), 0, { thresholdMs: THRESHOLD, rateBound: RATE, youthMs: YOUTH, delayMs: 0 })).toBeNull();
});

test('a heartbeat overtaken on a slower link (older sequence number) is ignored, not read as a restart', () => {
  const clock = manualClock();
  const guard = new StallGuard(clock);
  for (let i = 0; i < 20; i++) {
    clock.t = i * 100 + 1;
    expect(guard.peerBeat('p', 5000 + i * 100, 100 + i, 0, { thresholdMs: THRESHOLD, rateBound: RATE, youthMs: YOUTH, delayMs: 0 })).toBeNull();
  }
  // Beat 20 is lost on the fast link; its copy on the slow link arrives 900 ms late, after beat 21.
  clock.t = 2101;
  expect(guard.peerBeat('p', 5000 + 21 * 100, 121, 0, { thresholdMs: THRESHOLD, rateBound: RATE, youthMs: YOUTH, delayMs: 0 })).toBeNull();
  clock.t = 2901;
  expect(guard.peerBeat('p', 5000 + 20 * 100, 120, 0, { thresholdMs: THRESHOLD, rateBound: RATE, youthMs: YOUTH, delayMs: 0 })).toBeNull();
  clock.t = 2902;
  expect(guard.peerBeat('p', 5000 + 29 * 100, 129, 0, { thresholdMs: THRESHOLD, rateBound: RATE, youthMs: YOUTH, delayMs: 0 })).toBeNull();
});

test('a wall-clock step that was no pause does not blind the peer witness for long', () => {
  const clock = manualClock() as ReturnType<typeof manualClock> & { wallNow: () => number };
  let wallStep = 0;
  clock.wallNow = () => 1_700_000_000_000 + clock.t + wallStep;
  const guard = new StallGuard(clock);
  for (let i = 0; i < 20; i++) {
    clock.t = i * 100 + 1;
    guard.peerBeat('p', 5000 + i * 100, next(), 0, { thresholdMs: THRESHOLD, rateBound: RATE, youthMs: YOUTH, delayMs: 0 });
    guard.check(BOUNDS);
  }
  wallStep = 5000; // NTP steps the wall clock 5 s forward: read as a freeze (safe), nothing froze
  clock.t = 2001;
  expect(guard.check(BOUNDS)?.frozenMs).toBeGreaterThan(4000);
  for (let i = 20; i < 150; i++) {
    clock.t = i * 100 + 1;
    guard.peerBeat('p', 5000 + i * 100, next(), 0, { thresholdMs: THRESHOLD, rateBound: RATE, youthMs: YOUTH, delayMs: 0 });
  }
  // 15 s later a real 3 s VM pause hidden by a step back: the peers still see it.
  clock.t = 15_002;
  const stall = guard.peerBeat('p', 5000 + 180 * 100, next(), 0, { thresholdMs: THRESHOLD, rateBound: RATE, youthMs: YOUTH, delayMs: 0 });
  expect(stall?.frozenMs).toBeGreaterThan(2500);
});

test('a stall reports its monotonic gap apart (what the election counts): all of a SIGSTOP, none of a VM pause or of a freeze a peer witnessed', () => {
  const clock = manualClock() as Clock & { t: number; wallNow: () => number };
  let wallAhead = 0;
  clock.wallNow = () => 1_700_000_000_000 + clock.t + wallAhead;
  const guard = new StallGuard(clock);
  clock.t = 500; // both clocks ran: a SIGSTOP or a long GC
  expect(guard.check(BOUNDS)).toEqual({ gapMs: 500, frozenMs: 0, monoGapMs: 500 });
  clock.t = 550;
  wallAhead = 3000; // the monotonic clock stood still for 3 s: a VM pause
  expect(guard.check(BOUNDS)).toEqual({ gapMs: 3050, frozenMs: 3000, monoGapMs: 50 });
  for (let i = 0; i < 20; i++) {
    clock.t = 600 + i * 100;
    guard.peerBeat('p', 9000 + i * 100, next(), 0, { thresholdMs: THRESHOLD, rateBound: RATE, youthMs: YOUTH, delayMs: 0 });
  }
  clock.t = 2600; // heartbeats that waited through a freeze the own clocks did not show
  expect(guard.peerBeat('p', 9000 + 60 * 100, next(), 0, { thresholdMs: THRESHOLD, rateBound: RATE, youthMs: YOUTH, delayMs: 0 })).toMatchObject({ monoGapMs: 0 });
});

describe('a timer that ran late (protocol 4: S of its own, whatever the heartbeat)', () => {
  // A 200 ms heartbeat: an idle loop waits up to 200 ms, so only gaps above I + S = 300 ms tell a stall by
  // themselves; a timer knows when it was due and tells one of S = 100 ms.
  const SLOW = { gapMs: 300, stallMs: 100, frozenMs: 100 };

  test('a timer 150 ms late after a 250 ms idle gap is a stall; 90 ms late is not', () => {
    const clock = manualClock();
    const guard = new StallGuard(clock);
    clock.t = 250;
    expect(guard.check(SLOW, 150)).toEqual({ gapMs: 250, frozenMs: 0, monoGapMs: 250 });
    clock.t = 500;
    expect(guard.check(SLOW, 90)).toBeNull();
  });

  test('a loop busy with many short entries while a timer waited did not stall: only an idle stretch counts', () => {
    const clock = manualClock();
    const guard = new StallGuard(clock);
    // Datagrams every 10 ms from 60 to 220 ms, 2 ms each; a timer due at 80 runs only at 230.
    for (let t = 60; t <= 220; t += 10) {
      clock.t = t;
      expect(guard.check(SLOW)).toBeNull();
      clock.t = t + 2;
      expect(guard.check(SLOW, Infinity)).toBeNull();
    }
    clock.t = 230;
    expect(guard.check(SLOW, 150)).toBeNull();
  });

  test('a stop that datagrams are read after first is still found by the timer that waited through it', () => {
    const clock = manualClock();
    const guard = new StallGuard(clock);
    clock.t = 10;
    expect(guard.check(SLOW, Infinity)).toBeNull(); // an entry ended at 10; then SIGSTOP until 290
    clock.t = 290;
    expect(guard.check(SLOW)).toBeNull(); // the datagrams that waited come first: 280 ms idle is below I + S
    clock.t = 291;
    expect(guard.check(SLOW, Infinity)).toBeNull();
    clock.t = 292; // the tick due at 100 runs now, 192 ms late: it stood still from 100 to 290
    expect(guard.check(SLOW, 192)).toEqual({ gapMs: 2, frozenMs: 0, monoGapMs: 2 });
  });

  test('without a lateness only the gap and frozen time count (a datagram entry); inside an entry all of it was work', () => {
    const clock = manualClock();
    const guard = new StallGuard(clock);
    clock.t = 290;
    expect(guard.check(SLOW)).toBeNull();
    clock.t = 600;
    expect(guard.check(SLOW)).toEqual({ gapMs: 310, frozenMs: 0, monoGapMs: 310 });
    clock.t = 700;
    expect(guard.check(SLOW, Infinity)).toBeNull(); // 100 ms of its own work: not above S
    clock.t = 801;
    expect(guard.check(SLOW, Infinity)).toEqual({ gapMs: 101, frozenMs: 0, monoGapMs: 101 });
  });
});

test('a busy entry and a stop after it are one stall when both together exceed the gap bound (a 50 ms heartbeat: as before protocol 5)', () => {
  const DEFAULTS = { gapMs: 100, stallMs: 100, frozenMs: 100 };
  const clock = manualClock();
  const guard = new StallGuard(clock);
  expect(guard.check(DEFAULTS)).toBeNull(); // an entry starts at 0 ...
  clock.t = 90;
  expect(guard.check(DEFAULTS, Infinity)).toBeNull(); // ... and works 90 ms: not above S by itself
  clock.t = 150; // then a 60 ms stop: the next entry began 150 ms after the last one did
  expect(guard.check(DEFAULTS)).toEqual({ gapMs: 150, frozenMs: 0, monoGapMs: 150 });
  clock.t = 152;
  expect(guard.check(DEFAULTS, Infinity)).toBeNull();
  clock.t = 200; // an ordinary interval later
  expect(guard.check(DEFAULTS)).toBeNull();
});

test('property: a pause the wall clock hid, longer than S + δ, is told by the first heartbeat sent after it at the latest, however its buffered heartbeats are read (full-size runs)', () => {
  // The defaults: I = δ = 50 ms, S = 100 ms. Heartbeats every I with any delay below δ, in order, each read up to
  // I/2 late (the loop busy with other entries: a review found buffered heartbeats read in pieces half an
  // interval apart absorbed by a lift rule); this node's monotonic clock stands still for `pauseMs` from
  // `pauseAt` (real time) and the wall clock shows nothing.
  const I = 50;
  const DELTA = 50;
  const S = 100;
  fc.assert(fc.property(
    fc.array(fc.double({ min: 0, max: DELTA - 0.001, noNaN: true }), { minLength: 200, maxLength: 200 }),
    fc.array(fc.double({ min: 0, max: I / 2, noNaN: true }), { minLength: 200, maxLength: 200 }),
    fc.double({ min: 2000, max: 2000 + I, noNaN: true }),
    fc.integer({ min: S + DELTA + I / 2 + 5, max: 3000 }),
    fc.integer({ min: 0, max: 100_000 }),
    (delays, lateness, pauseAt, pauseMs, peerStart) => {
      const clock = manualClock();
      const guard = new StallGuard(clock);
      let lastArrival = 0;
      let lastRead = 0;
      let told = 0;
      for (let i = 0; i < delays.length; i++) {
        const sentAt = i * I;
        const arrival = Math.max(lastArrival, sentAt + delays[i]);
        lastArrival = arrival;
        // On this node's clock: at once, or at the resume when it arrived during the pause; the clock lags after it.
        const arrivedMono = arrival < pauseAt ? arrival : arrival < pauseAt + pauseMs ? pauseAt : arrival - pauseMs;
        lastRead = Math.max(lastRead, arrivedMono + lateness[i]);
        clock.t = lastRead;
        told += guard.peerBeat('p', peerStart + sentAt, next(), 0, { thresholdMs: S, rateBound: RATE, youthMs: 4 * I, delayMs: DELTA })?.frozenMs ?? 0;
        if (sentAt >= pauseAt + pauseMs) {
          // The first heartbeat sent after the resume has been read: the pause is told, all of it but S + δ and
          // that heartbeat's lateness (and the rate bound over the time since the last heartbeat before the pause).
          const floor = pauseMs - S - DELTA - lateness[i] - 2 * RATE * (2 * (I + S) + DELTA) - 1e-6;
          if (told < floor) throw new Error(`${told} ms of a ${pauseMs} ms pause told by beat ${i}`);
          if (told > pauseMs + DELTA) throw new Error(`${told} ms told of a ${pauseMs} ms pause`);
          return;
        }
      }
      throw new Error('the run ended before the pause did');
    },
  ), { numRuns: 300 });
});


test('a young baseline from a heartbeat read late (a busy start-up) follows the next ones up: no false freeze after it', () => {
  const clock = manualClock();
  const guard = new StallGuard(clock);
  // 100 ms heartbeats. The first, 40 ms on the wire, read 170 ms late; the next two queued behind it, read in
  // the same burst; then one with no delay at all, 210 ms above the first (a review's scenario, read in order).
  const reads: Array<[number, number]> = [[210, 5000], [210, 5100], [240, 5200], [300, 5300]];
  for (const [t, uptime] of reads) {
    clock.t = t;
    expect(guard.peerBeat('p', uptime, next(), 0, { thresholdMs: THRESHOLD, rateBound: RATE, youthMs: YOUTH, delayMs: 50 })).toBeNull();
  }
  // Grown up (4 heartbeats later), it is the least-delayed offset: a 300 ms pause hidden from the wall clock,
  // its heartbeats read in pieces half an interval apart, is told.
  for (let i = 4; i < 30; i++) {
    clock.t = i * 100;
    expect(guard.peerBeat('p', 5000 + i * 100, next(), 0, { thresholdMs: THRESHOLD, rateBound: RATE, youthMs: YOUTH, delayMs: 50 })).toBeNull();
  }
  // Frozen from 2 950 for 300 ms: the heartbeats sent at 3 000, 3 100 and 3 200 wait, and are read with those
  // sent after it at 3 300 and 3 400 (this clock: 3 000 and 3 100), in pieces 25–50 ms apart.
  let told = 0;
  for (const [t, i] of [[2950, 30], [2975, 31], [3000, 32], [3025, 33], [3100, 34]]) {
    clock.t = t;
    told += guard.peerBeat('p', 5000 + i * 100, next(), 0, { thresholdMs: THRESHOLD, rateBound: RATE, youthMs: YOUTH, delayMs: 50 })?.frozenMs ?? 0;
  }
  expect(told).toBeGreaterThan(300 - THRESHOLD - 50);
});

test('a long entry is reported once: its work at its end, not again in the next start-to-start gap', () => {
  const DEFAULTS = { gapMs: 100, stallMs: 100, frozenMs: 100 };
  const clock = manualClock();
  const guard = new StallGuard(clock);
  expect(guard.check(DEFAULTS)).toBeNull();
  clock.t = 150;
  expect(guard.check(DEFAULTS, Infinity)).toEqual({ gapMs: 150, frozenMs: 0, monoGapMs: 150 });
  clock.t = 152;
  expect(guard.check(DEFAULTS)).toBeNull();
});
