/**
 * The bully election counted in time (protocol 4's "candidacy: a time", issue 15): an elector stands after
 * `standMs` of silence and leads after `candidacyMs` as candidate, whenever it is checked — not after a count of
 * checks — and a stall of its own does not count as the leader's silence.
 */
import { BullyElection, type ElectionTimings } from '../../../core/membership/leader-election';
import type { ElectionMode } from '../../../plugin-api';
import { electionTimings } from '../../../core/config/timing-defaults';
import { TIME_DEFAULTS } from '../../../core/config/timing-defaults';

const silent = { trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, fatal: () => undefined, child: () => silent };

const TIMINGS: ElectionTimings = { standMs: 800, candidacyMs: 400 };

function election(opts: { selfId?: string; elector?: boolean; timings?: ElectionTimings } = {}) {
  const changes: Array<{ from: ElectionMode; to: ElectionMode; reason: string }> = [];
  const e = new BullyElection({
    selfId: opts.selfId ?? 'm', elector: opts.elector ?? true, timings: opts.timings ?? TIMINGS, now: 0, logger: silent,
    onModeChange: (from, to, reason) => changes.push({ from, to, reason }),
  });
  return { e, changes };
}

test('the defaults: stand after leader_dead_time (200 ms), campaign 2·I + S (200 ms)', () => {
  expect(electionTimings(TIME_DEFAULTS)).toEqual({ standMs: 200, candidacyMs: 200 });
  // A slower heartbeat raises leader_dead_time to 4 heartbeats; S stops growing with it above 50 ms (100 ms),
  // so the candidacy is two intervals + 100 ms, not 4 intervals.
  expect(electionTimings({ ...TIME_DEFAULTS, cluster_update_interval: 400 })).toEqual({ standMs: 1600, candidacyMs: 900 });
  expect(electionTimings({ ...TIME_DEFAULTS, cluster_update_interval: 8 })).toEqual({ standMs: 200, candidacyMs: 32 });
});

test('stands once standMs passed without a leader, however rarely it is checked, and leads candidacyMs later', () => {
  const { e, changes } = election();
  e.check(799);
  expect(e.mode).toBe('servant');
  expect(e.deadline()).toBe(800);
  // One check, 5 ms late: a tick count would have needed several.
  e.check(805);
  expect(e.mode).toBe('candidate');
  expect(changes[0].reason).toBe('no leader heard for 805 ms');
  expect(e.deadline()).toBe(1205);
  e.check(1204);
  expect(e.mode).toBe('candidate');
  e.check(1205);
  expect(e.mode).toBe('leader');
  expect(changes.map((c) => c.to)).toEqual(['candidate', 'leader']);
  expect(e.deadline()).toBe(Infinity);
});

test('a leader of any id, or a higher candidate, keeps a servant quiet; a lower candidate does not', () => {
  const { e } = election({ selfId: 'm' });
  e.heardClaim('a', true, 500); // a lower leader
  e.check(1299);
  expect(e.mode).toBe('servant');
  e.heardClaim('z', false, 1000); // a higher candidate
  e.check(1799);
  expect(e.mode).toBe('servant');
  e.heardClaim('a', false, 1700); // a lower candidate
  e.check(1800);
  expect(e.mode).toBe('candidate');
});

test('a candidate or leader that hears a higher id steps down and counts silence from then', () => {
  const { e, changes } = election({ selfId: 'm' });
  e.check(800);
  e.heardClaim('z', false, 900);
  expect(e.mode).toBe('servant');
  expect(changes[1].reason).toBe('heard candidate z with a higher id');
  expect(e.deadline()).toBe(1700);
  e.check(1700);
  e.heardClaim('a', false, 1800); // lower: no effect
  e.check(2100);
  expect(e.mode).toBe('leader');
  e.heardClaim('z', true, 2200);
  expect(e.mode).toBe('servant');
  expect(e.deadline()).toBe(3000);
});

test('its own stall counts as one interval of silence: the rest moves the deadlines (it did not read, nobody was silent)', () => {
  const { e } = election();
  e.heardClaim('x', true, 100);
  // Stalled from 200 to 1 200 (the guard finds a 1 000 ms gap; one 50 ms interval of it counts).
  e.ownStall(950, 1200);
  e.check(1200);
  expect(e.mode).toBe('servant');
  expect(e.deadline()).toBe(100 + 800 + 950);
  // Never beyond now: silence starts again at the latest when the stall ends.
  e.ownStall(10_000, 1300);
  expect(e.deadline()).toBe(1300 + 800);
  // A candidate's campaign too: a higher candidate's announcement may wait in the socket buffer.
  e.check(2100);
  expect(e.mode).toBe('candidate');
  e.ownStall(300, 2600);
  e.check(2600);
  expect(e.mode).toBe('candidate');
  expect(e.deadline()).toBe(2100 + 400 + 300);
  e.check(2800);
  expect(e.mode).toBe('leader');
});

test('a leader that leaves is replaced at once: the deadline is now', () => {
  const { e } = election();
  e.heardClaim('x', true, 100);
  e.leaderLeft(150);
  expect(e.deadline()).toBeLessThanOrEqual(150);
  e.check(150);
  expect(e.mode).toBe('candidate');
});

test('a node that starts taking part counts silence from then, not from its construction (listening and the sweep heard nothing for it)', () => {
  const { e } = election();
  e.restartSilence(700);
  e.check(800);
  expect(e.mode).toBe('servant');
  expect(e.deadline()).toBe(1500);
});

test('a live reload changes the times from the next check on', () => {
  const { e } = election();
  e.setTimings({ standMs: 200, candidacyMs: 100 });
  e.check(200);
  e.check(300);
  expect(e.mode).toBe('leader');
});

test('a non-elector never stands, nor has a deadline', () => {
  const { e, changes } = election({ elector: false });
  e.check(1_000_000);
  expect(e.mode).toBe('servant');
  expect(e.deadline()).toBe(Infinity);
  expect(changes).toEqual([]);
});
