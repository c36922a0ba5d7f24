/**
 * The no-two-masters checker used by the stall, partition and chaos runs
 * (scripts/lib/mastership.ts): it must flag an overlap, excuse only a
 * frozen master, end a mastership at a demote, stop, failure or kill.
 */
import { checkMastership, checkOverlaps, promotedIntervals, promotedNodes } from '../../../scripts/lib/mastership';
import type { ServiceEvent } from '../../../scripts/lib/cluster';

const ev = (time: number, node: string, event: string, phase: 'begin' | 'end' = 'begin'): ServiceEvent =>
  ({ time, node, service: '10-app', event, phase });

test('a promote after the other master began to demote is a handover with a positive margin', () => {
  const report = checkMastership([ev(1, 'a', 'promote'), ev(1.1, 'a', 'promote', 'end'), ev(5, 'a', 'demote'), ev(5.4, 'b', 'promote')]);
  expect(report.violations).toEqual([]);
  expect(report.handovers.at(-1)).toMatchObject({ node: 'b', previous: 'a', previousEnd: 'demote' });
  expect(report.handovers.at(-1)!.marginS).toBeCloseTo(0.4);
});

test('a promote while another node is promoted and has not begun to demote is a violation', () => {
  const report = checkMastership([ev(1, 'a', 'promote'), ev(5.4, 'b', 'promote'), ev(5.5, 'a', 'demote')]);
  expect(report.violations).toEqual([{ node: 'b', at: 5.4, other: 'a', since: 1, excused: false }]);
});

test('the overlap of a frozen master is excused, and only that one', () => {
  const events = [ev(1, 'a', 'promote'), ev(3, 'b', 'promote'), ev(4.05, 'a', 'demote')];
  const report = checkMastership(events, [], [{ node: 'a', from: 2, to: 4 }]);
  expect(report.violations).toEqual([]);
  expect(report.excused).toHaveLength(1);
  expect(checkMastership(events, [], [{ node: 'c', from: 2, to: 4 }]).violations).toHaveLength(1);
});

test('a kill, a stop or a failure ends a mastership; a restart (start) too for promotedNodes', () => {
  const events = [ev(1, 'a', 'promote'), ev(3, 'b', 'promote'), ev(6, 'b', 'stop'), ev(7, 'c', 'promote'), ev(9, 'c', 'failed'), ev(10, 'a', 'start')];
  expect(checkMastership(events, [{ node: 'a', time: 2 }]).violations).toEqual([]);
  expect(checkMastership(events).violations.map((v) => v.other)).toEqual(['a', 'a']);
  expect(promotedNodes(events)).toEqual([]);
  expect(promotedNodes(events, [], 8)).toEqual(['a', 'c']);
});

describe('promoted intervals (promote begin … demote END) for chaos:netns', () => {
  test('a promote after the other demote ENDED is no overlap; one during its demote script is', () => {
    const ok = checkOverlaps([ev(1, 'a', 'promote'), ev(5, 'a', 'demote'), ev(6.6, 'a', 'demote', 'end'), ev(6.7, 'b', 'promote')]);
    expect(ok.violations).toEqual([]);
    const bad = checkOverlaps([ev(1, 'a', 'promote'), ev(5, 'a', 'demote'), ev(6, 'b', 'promote'), ev(6.6, 'a', 'demote', 'end')]);
    expect(bad.violations).toHaveLength(1);
    expect(bad.violations[0]).toMatchObject({ older: { node: 'a' }, newer: { node: 'b' }, excused: false });
    expect(bad.violations[0].lengthS).toBeCloseTo(0.6);
  });

  test('a kill or a fresh start ends the interval; an interval still open counts to the end', () => {
    expect(promotedIntervals([ev(1, 'a', 'promote'), ev(3, 'a', 'start')], [{ node: 'b', time: 2 }]))
      .toEqual([{ node: 'a', from: 1, to: 3, end: 'start' }]);
    const killed = checkOverlaps([ev(1, 'a', 'promote'), ev(4, 'b', 'promote')], [{ node: 'a', time: 3 }]);
    expect(killed.violations).toEqual([]);
    const open = checkOverlaps([ev(1, 'a', 'promote'), ev(4, 'b', 'promote')]);
    expect(open.violations).toHaveLength(1);
  });

  test('an overlap with a SIGSTOPped older master is excused when it ends within the resume grace', () => {
    const r = checkOverlaps([ev(1, 'a', 'promote'), ev(4, 'b', 'promote'), ev(5.1, 'a', 'demote'), ev(5.2, 'a', 'demote', 'end')],
      [], [{ node: 'a', from: 2, to: 5 }]);
    expect(r.violations).toEqual([]);
    expect(r.excused).toHaveLength(1);
    expect(r.excused[0].lengthS).toBeCloseTo(1.2);
    expect(r.excused[0].runningS).toBeCloseTo(0.2);
    // The stall of the NEWER node excuses nothing.
    expect(checkOverlaps([ev(1, 'a', 'promote'), ev(4, 'b', 'promote')], [], [{ node: 'b', from: 2, to: 5 }]).violations).toHaveLength(1);
  });

  test('a resumed master still promoted past the grace is a violation; a second stall does not count as running', () => {
    const late = checkOverlaps([ev(1, 'a', 'promote'), ev(4, 'b', 'promote'), ev(7, 'a', 'demote'), ev(7.1, 'a', 'demote', 'end')],
      [], [{ node: 'a', from: 2, to: 5 }]);
    expect(late.violations).toHaveLength(1);
    expect(late.violations[0].runningS).toBeCloseTo(2.1);
    const twice = checkOverlaps([ev(1, 'a', 'promote'), ev(4, 'b', 'promote')], [{ node: 'a', time: 8.1 }],
      [{ node: 'a', from: 2, to: 5 }, { node: 'a', from: 5, to: 8 }]);
    expect(twice.violations).toEqual([]);
    expect(twice.excused[0].runningS).toBeCloseTo(0.1);
  });
  test('a promote just after the older master\'s SIGCONT is excused when its demote after the resume ends within the grace; a promote later is not', () => {
    // chaos:netns seed 331517: SIGCONT at 5.0, the other promote at 5.1, the resumed master's demote ends at 5.107.
    const just = checkOverlaps([ev(1, 'a', 'promote'), ev(5.1, 'b', 'promote'), ev(5.0, 'a', 'demote'), ev(5.107, 'a', 'demote', 'end')],
      [], [{ node: 'a', from: 2, to: 5 }]);
    expect(just.violations).toEqual([]);
    expect(just.excused).toHaveLength(1);
    // Resumed 2 s before the promote: the stall excuses nothing any more.
    const later = checkOverlaps([ev(1, 'a', 'promote'), ev(7, 'b', 'promote'), ev(7.2, 'a', 'demote', 'end')],
      [], [{ node: 'a', from: 2, to: 5 }]);
    expect(later.violations).toHaveLength(1);
  });
});
