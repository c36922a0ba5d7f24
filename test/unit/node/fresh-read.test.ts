/**
 * The fresh read a promote waits for (core/node/fresh-read.ts, docs/safety.md R6): the sockets read dry, then
 * heartbeats heard after that from quorum − 1 distinct peers heard steadily since before it, then the sockets
 * read dry again. A witness heard before the first drain does not count (it may have been sent before a pause
 * that ended since), nor one from a peer heard again only after a long gap, nor one peer twice.
 */
import { FreshRead } from '../../../core/node/fresh-read';
import { ReadBarrier } from '../../../core/node/read-barrier';

function rig(): { fresh: FreshRead; turn: () => void; clock: { t: number }; fire: () => void } {
  let immediates: Array<() => void> = [];
  const clock = { t: 1000 };
  let timers: Array<() => void> = [];
  const fresh = new FreshRead({
    barrier: new ReadBarrier((fn) => immediates.push(fn)),
    now: () => clock.t,
    after: (fn) => {
      timers.push(fn);
      return () => { timers = timers.filter((f) => f !== fn); };
    },
    retryMs: () => 400,
  });
  return {
    fresh,
    clock,
    turn: () => {
      const due = immediates;
      immediates = [];
      for (const fn of due) fn();
    },
    fire: () => {
      const due = timers;
      timers = [];
      for (const fn of due) fn();
    },
  };
}

test('it waits for a witness heard after the sockets were read dry, then for another dry read', () => {
  const { fresh, turn } = rig();
  let ran = false;
  fresh.witness('p', 0); // heard before the request: does not count
  fresh.whenFresh(() => { ran = true; }, 1);
  fresh.witness('p', 0); // heard before the first drain: does not count either
  for (let i = 0; i < 5; i++) turn();
  expect(ran).toBe(false);
  fresh.witness('p', 0);
  expect(ran).toBe(false);
  turn();
  expect(ran).toBe(false);
  turn();
  expect(ran).toBe(true);
});

test('quorum − 1 distinct peers: one peer heard twice is not two (a host-mate paused with this node)', () => {
  const { fresh, turn } = rig();
  let ran = false;
  fresh.whenFresh(() => { ran = true; }, 2);
  turn();
  turn();
  fresh.witness('a', 0);
  fresh.witness('a', 0);
  turn();
  turn();
  expect(ran).toBe(false);
  fresh.witness('b', 0);
  turn();
  turn();
  expect(ran).toBe(true);
});

test('a peer heard again after a long gap (continuous only since after the drain) is no witness; the wait starts over after retryMs', () => {
  const { fresh, turn, clock, fire } = rig();
  let ran = false;
  fresh.whenFresh(() => { ran = true; }, 1);
  turn();
  turn(); // drained at t = 1000
  clock.t = 1200;
  fresh.witness('x', 1200); // back after a silence: its rise is forgiven, it tells nothing
  turn();
  turn();
  expect(ran).toBe(false);
  // Nobody else comes: the wait starts over, and x, steady since 1200, is a witness for a drain after that.
  clock.t = 1400;
  fire();
  turn();
  turn();
  clock.t = 1450;
  fresh.witness('x', 1200);
  turn();
  turn();
  expect(ran).toBe(true);
});

test('without a lease to protect (no witness wanted) a dry read is enough', () => {
  const { fresh, turn } = rig();
  let ran = false;
  fresh.whenFresh(() => { ran = true; }, 0);
  turn();
  turn();
  expect(ran).toBe(true);
});
