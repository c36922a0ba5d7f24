/**
 * GuardedTimers (core/node/guarded-timers.ts): each timer tells the stall guard how late it ran, reckoned from
 * when it was armed, and an interval from when it last ran (as Node re-arms one), so a late run does not make
 * every later run look late.
 */
import { GuardedTimers } from '../../../core/node/guarded-timers';
import type { Clock, TimerHandle } from '../../../plugin-api';

/** A clock whose timers run only when the test says, at the time the test sets. */
function heldClock(): Clock & { t: number; run: (id: number) => void } {
  const fns = new Map<number, () => void>();
  let next = 1;
  const arm = (fn: () => void): TimerHandle => {
    const id = next++;
    fns.set(id, fn);
    return { id };
  };
  const c = {
    t: 0,
    now: () => c.t,
    wallNow: () => 1_700_000_000_000 + c.t,
    setTimeout: (fn: () => void) => arm(fn),
    setInterval: (fn: () => void) => arm(fn),
    setImmediate: (fn: () => void) => arm(fn),
    clear: (h: TimerHandle | undefined) => { if (h) fns.delete(h.id); },
    run: (id: number) => fns.get(id)!(),
  };
  return c;
}

test('a timeout reports how long after its due time it ran', () => {
  const clock = heldClock();
  const seen: number[] = [];
  const timers = new GuardedTimers(clock, (fn, late) => { seen.push(late); fn(); });
  clock.t = 1000;
  let ran = 0;
  const h = timers.setTimeout(() => ran++, 100);
  clock.t = 1250;
  clock.run(h.id);
  expect(seen).toEqual([150]);
  expect(ran).toBe(1);
});

test('an interval is late against its last run, not against a fixed grid', () => {
  const clock = heldClock();
  const seen: number[] = [];
  const timers = new GuardedTimers(clock, (fn, late) => { seen.push(late); fn(); });
  const h = timers.setInterval(() => undefined, 200);
  for (const t of [200, 520, 720, 919]) {
    clock.t = t;
    clock.run(h.id);
  }
  // Due 200 (on time), 400 (120 late), 720 (on time: re-armed at 520), 920 (a coarse clock ran it 1 ms early).
  expect(seen).toEqual([0, 120, 0, -1]);
});
