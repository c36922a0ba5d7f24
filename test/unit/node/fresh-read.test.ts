/**
 * The fresh read a promote waits for (core/node/fresh-read.ts, docs/safety.md R6): the sockets read dry, then
 * a heartbeat of a peer that can witness a pause heard after that, then the sockets read dry again. A witness
 * heard before the first drain does not count: it may have been sent before a pause that ended since.
 */
import { FreshRead } from '../../../core/node/fresh-read';
import { ReadBarrier } from '../../../core/node/read-barrier';

function rig(): { fresh: FreshRead; turn: () => void } {
  let immediates: Array<() => void> = [];
  const fresh = new FreshRead(new ReadBarrier((fn) => immediates.push(fn)));
  return {
    fresh,
    turn: () => {
      const due = immediates;
      immediates = [];
      for (const fn of due) fn();
    },
  };
}

test('it waits for a witness heard after the sockets were read dry, then for another dry read', () => {
  const { fresh, turn } = rig();
  let ran = false;
  fresh.witness(); // heard before the request: does not count
  fresh.whenFresh(() => { ran = true; }, true);
  for (let i = 0; i < 5; i++) turn();
  expect(ran).toBe(false);
  fresh.witness();
  expect(ran).toBe(false);
  turn();
  expect(ran).toBe(false);
  turn();
  expect(ran).toBe(true);
});

test('a witness heard between the request and the first dry read does not count either', () => {
  const { fresh, turn } = rig();
  let ran = false;
  fresh.whenFresh(() => { ran = true; }, true);
  fresh.witness();
  for (let i = 0; i < 5; i++) turn();
  expect(ran).toBe(false);
  fresh.witness();
  turn();
  turn();
  expect(ran).toBe(true);
});

test('without a lease to protect (no witness wanted) a dry read is enough', () => {
  const { fresh, turn } = rig();
  let ran = false;
  fresh.whenFresh(() => { ran = true; }, false);
  turn();
  turn();
  expect(ran).toBe(true);
});
