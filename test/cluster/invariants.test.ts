/**
 * The simulator's isolated-master check with one-way cuts: a master whose
 * direct two-way reach is short of a quorum is not cut off while a node it
 * reaches both ways (a leader) reaches a quorum — that leader can still renew
 * its lease. Without such a node it is cut off and must demote within the bound.
 */
import { InvariantChecker, type InvariantView } from './invariants';

const BOUND = 100;

function view(now: number, reach: Record<string, string[]>, master: string): InvariantView {
  return {
    now, quorum: 3, majority: true, isolationBoundMs: BOUND, quiet: false,
    nodes: Object.entries(reach).map(([name, r]) => ({ name, running: true, isMaster: name === master, isLeader: false, reach: r })),
  };
}

function runFor(checker: InvariantChecker, reach: Record<string, string[]>, master: string): void {
  for (let t = 0; t <= 3 * BOUND; t += 10) checker.check(view(t, reach, master));
}

test('one-way cut n3→n4: master n4 reaches only n5, but n5 reaches a quorum: not cut off', () => {
  const checker = new InvariantChecker();
  runFor(checker, {
    n1: ['n1', 'n2'], n2: ['n1', 'n2'],
    n3: ['n3', 'n5'], n4: ['n4', 'n5'], n5: ['n3', 'n4', 'n5'],
  }, 'n4');
  expect(checker.violations).toEqual([]);
});

test('a master whose two-way neighbours all reach fewer than a quorum is cut off', () => {
  const checker = new InvariantChecker();
  runFor(checker, {
    n1: ['n1', 'n2'], n2: ['n1', 'n2'],
    n3: ['n3', 'n5'], n4: ['n4', 'n5'], n5: ['n3', 'n4', 'n5'],
  }, 'n1');
  expect(checker.violations.map((v) => v.invariant)).toContain('isolated-master');
  expect(checker.violations[0].detail).toMatch(/^n1 is master/);
});

test('a leader cut from its quorum may renew a master it just reached for its ack window: the isolation counts from then (chaos seed 1100283)', () => {
  const window = 30;
  const at = (now: number, reach: Record<string, string[]>): InvariantView => ({ ...view(now, reach, 'n1'), ackWindowMs: window });
  const alone = { n1: ['n1'], n2: ['n2', 'n3', 'n4'], n3: ['n2', 'n3', 'n4'], n4: ['n2', 'n3', 'n4'] };
  const joined = { n1: ['n1', 'n3'], n2: ['n2', 'n4'], n3: ['n1', 'n3'], n4: ['n2', 'n4'] };
  // n1 alone for 80 ms (under the bound), then it and leader n3 meet as n3 loses n2 and n4.
  const checker = new InvariantChecker();
  for (let t = 0; t < 80; t += 10) checker.check(at(t, alone));
  for (let t = 80; t <= 80 + window + BOUND; t += 10) checker.check(at(t, joined));
  expect(checker.violations).toEqual([]);
  // Still cut off for good: the bound counts from the end of n3's window.
  for (let t = 80 + window + BOUND + 10; t <= 80 + window + 2 * BOUND + 20; t += 10) checker.check(at(t, joined));
  expect(checker.violations.map((v) => v.invariant)).toContain('isolated-master');
});

test('a leader whose partition changes within its ack window counts answers from both sides: the isolation counts from then (chaos seeds 9631950, 9632356)', () => {
  // 4 nodes, quorum 3. Master n2 leads. First it is with n1 only, then (at 100) with n4 only: neither side is a
  // quorum, but answers from n1 still count for the window after the change, and n4's begin: n2 may renew
  // itself then (R1 counts answers, not links at one instant).
  const window = 30;
  const at = (now: number, reach: Record<string, string[]>): InvariantView => ({ ...view(now, reach, 'n2'), ackWindowMs: window });
  const first = { n1: ['n1', 'n2'], n2: ['n1', 'n2'], n4: ['n4'] };
  const second = { n1: ['n1'], n2: ['n2', 'n4'], n4: ['n2', 'n4'] };
  const checker = new InvariantChecker();
  for (let t = 0; t < 100; t += 10) checker.check(at(t, first));
  for (let t = 100; t <= 100 + BOUND; t += 10) checker.check(at(t, second));
  expect(checker.violations).toEqual([]);
  // Cut off for good since the window after the change ended.
  for (let t = 100 + BOUND + 10; t <= 100 + window + BOUND + 20; t += 10) checker.check(at(t, second));
  expect(checker.violations.map((v) => v.invariant)).toContain('isolated-master');
});
