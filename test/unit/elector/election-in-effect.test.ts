/**
 * docs/safety.md R7/R8 for an election in effect: a new leader that names a master from the previous leader's
 * view which is not Master (it never became Master there) promotes it with its first lease, so that grant waits
 * for every gate an election has. Measured from what the runners are sent (state updates carrying a lease), on
 * the Elector alone with a scripted membership. Each case failed on a815c48, where only R7's two gates applied
 * and the renewal chain counted as running after a round that sent no grant.
 *
 * The scripted membership answers `quorumFreeAt` with -Infinity, so R2's wait for other leaders' leases is over
 * from the start and each case isolates one gate.
 */
import { VirtualClock } from '../../../core/clock';
import { defaultConfig } from '../../../core/config/defaults';
import { Elector } from '../../../core/elector/elector';
import { createHooks } from '../../../core/hooks';
import { safetyRules } from '../../../core/safety-rules';
import type { ClusterView, FenceRequest, HealthReport, StateUpdate } from '../../../plugin-api';
import { createTestLogger } from '../../helpers/logger';

const LEADER = '11111111-1111-4111-8111-111111111111';
const OLD_LEADER = '22222222-2222-4222-8222-222222222222';
const N2 = '33333333-3333-4333-8333-333333333333';
const N3 = '44444444-4444-4444-8444-444444444444';
const GONE = '55555555-5555-4555-8555-555555555555';
const NAMES: Record<string, string> = { [N2]: 'n2', [N3]: 'n3', [GONE]: 'n9' };
const START = 100_000;

function rig(options: { fence?: boolean; tableSince?: number; viewMaster?: string; remembered?: { id: string; name: string } } = {}) {
  const clock = new VirtualClock({ start: START });
  const config = defaultConfig();
  const { logger } = createTestLogger();
  const hooks = createHooks(logger);
  const fences: FenceRequest[] = [];
  let finishFence: () => void = () => undefined;
  if (options.fence) {
    hooks.onFence.tapPromise('test-fence', (request) => {
      fences.push(request);
      return new Promise((resolve) => { finishFence = () => resolve({ ok: true, detail: 'powered off' }); });
    });
  }
  const heard = new Map<string, number>();
  const tableSince = options.tableSince ?? START;
  const viewMaster = options.viewMaster ?? N3;
  const view: ClusterView = { leaderId: OLD_LEADER, masterId: viewMaster, masterName: NAMES[viewMaster] ?? '', maintenance: false, manualMaster: false, nodes: [] };
  const grants: Array<{ to: string; at: number }> = [];
  const elector = new Elector({
    self: { id: LEADER, name: 'n1' }, config, clock, logger, hooks, startedAt: 0, firstSeq: 1, rules: safetyRules(),
    membership: {
      seenCount: () => 3, ackCount: () => 3, lastView: () => view, viewNodes: () => [],
      lastHeard: (id) => heard.get(id), lastAcked: (id) => heard.get(id), runnerIds: () => [N2, N3],
      addressOf: (id) => (heard.has(id) ? `10.0.0.${id === N2 ? 2 : 3}:42012` : ''), maxHoldMs: () => 1_500,
      quorumFreeAt: () => -Infinity,
      heardRunners: () => [...heard].filter(([, at]) => clock.now() - at <= config.time.node_timeout)
        .map(([id]) => ({ id, name: NAMES[id], since: tableSince })),
      allConfiguredPeersHeard: () => true, everSawMaster: () => true, rememberedMaster: () => (options.remembered ? { ...options.remembered, ageMs: 0 } : null),
    },
    sendState: (id: string, _address: string, update: StateUpdate) => { if (update.leaseMs > 0) grants.push({ to: id, at: clock.now() }); },
    onMasterChange: (id: string, _name: string, why: string) => masterChanges.push(`${id || 'none'}: ${why}`),
    scheduleDecision: () => undefined,
    leaseEnd: (_id: string, endsAt: number) => ({ uptimeMs: endsAt, observedUptimeMs: clock.now(), observedSeq: 1 }),
  });
  const masterChanges: string[] = [];
  const report = (id: string, over: Partial<HealthReport> = {}): void => {
    heard.set(id, clock.now());
    elector.handleHealth(id, {
      kind: 'health', name: NAMES[id], state: 'Slave', mode: 'Active', uptimeMs: 60_000, target: 'Start', services: [],
      promoted: false, failCount: 0, lastFailureAgoMs: -1, lastFailureReason: '', stopped: false, ...over,
    }, `10.0.0.${id === N2 ? 2 : 3}:42012`);
  };
  /** Advance to `at` ms after START. */
  const advanceTo = (at: number): void => clock.advance(START + at - clock.now());
  /** Advance to `at` ms after START and run an elector tick. */
  const tickAt = (at: number): void => { advanceTo(at); elector.tick(); };
  /** One round at `at`: n2 and n3 report (with `over` for n3), then an elector tick. */
  const round = (at: number, n3: Partial<HealthReport> = {}): void => { advanceTo(at); report(N2); report(N3, n3); tickAt(at); };
  return { clock, elector, grants, fences, report, advanceTo, tickAt, round, heard, masterChanges, finishFence: () => finishFence(), config };
}

test('a named master that is not Master is promoted once the start-up tolerance is over , and not before (a new leader lets runners report first)', () => {
  const { grants, report, advanceTo, tickAt } = rig();
  for (const at of [0, 200, 400]) {
    advanceTo(at);
    report(N2);
    report(N3);
    tickAt(at);
  }
  expect(grants).toEqual([]);
  advanceTo(600);
  report(N2);
  report(N3);
  tickAt(600);
  expect(grants).toEqual([{ to: N3, at: START + 600 }]);
});

test('the renewal chain runs only after a grant was sent: a round that could grant a silent named master does not let a later one skip R7', () => {
  const { elector, grants, report, advanceTo, tickAt } = rig();
  report(N2);
  report(N3);
  advanceTo(600);
  report(N2);
  tickAt(600); // n3 last heard 600 ms ago: past the ack window, nothing is sent, though the round may grant
  expect(grants).toEqual([]);
  // n2 reports promoted services (it is demoting what it held), and n3 is heard again.
  advanceTo(700);
  report(N2, { promoted: true });
  report(N3);
  tickAt(700);
  expect(grants).toEqual([]);
  expect(elector.snapshot().waiting).toMatchObject({ code: 'promoted-services' });
  // n2's demote ends: n3 is promoted at the next round.
  advanceTo(900);
  report(N2);
  report(N3);
  tickAt(900);
  expect(grants).toEqual([{ to: N3, at: START + 900 }]);
  expect(elector.snapshot().waiting).toBeNull();
});

test('R8: a master a follower remembers is fenced before the named master is promoted', async () => {
  const { elector, grants, fences, round, finishFence } = rig({ fence: true });
  round(0);
  elector.absorbKnownMaster(GONE, 'n9', N2); // n2 followed a leader whose master was n9, never heard here
  round(600);
  expect(grants).toEqual([]);
  expect(fences.map((f) => f.nodeId)).toEqual([GONE]);
  expect(elector.snapshot().waiting).toMatchObject({ code: 'fencing' });
  // The debt travels in the view: a next leader would owe n9's fencing too.
  expect(elector.view()).toMatchObject({ masterId: N3, previousMasterId: GONE });
  round(800);
  expect(grants).toEqual([]);
  finishFence();
  await new Promise((resolve) => setImmediate(resolve));
  round(1_000);
  expect(grants).toEqual([{ to: N3, at: START + 1_000 }]);
  expect(fences).toHaveLength(1);
});

test('a new leader waits its start-up tolerance, and for every runner in its table to report, however long that runner was in the table', () => {
  const { grants, report, advanceTo, tickAt, config } = rig({ tableSince: START - 10_000 });
  advanceTo(100);
  report(N2);
  report(N3);
  tickAt(100);
  expect(grants).toEqual([]); // the start-up tolerance
  const second = rig({ tableSince: START - 10_000 });
  for (const at of [100, 300, 500, 700]) {
    second.advanceTo(at);
    second.heard.set(N2, START + at); // n2 is heard (heartbeats) but has not reported to this leader
    second.report(N3);
    second.tickAt(at);
  }
  expect(second.grants).toEqual([]); // awaiting-report: from this leader's start, not from when n2 entered the table
  second.advanceTo(800);
  second.report(N2);
  second.report(N3);
  second.tickAt(800);
  expect(second.grants).toEqual([{ to: N3, at: START + 800 }]);
  expect(config.time.elector_startup_tolerance).toBe(500);
});

test('without its report, the wait for n2 ends master_dead_time after this leader began', () => {
  const { grants, report, advanceTo, tickAt, heard, config } = rig({ tableSince: START - 10_000 });
  const dead = config.time.master_dead_time;
  for (let at = 100; at <= dead; at += 100) {
    advanceTo(at);
    heard.set(N2, START + at);
    report(N3);
    tickAt(at);
    if (at < dead) expect(grants).toEqual([]);
  }
  expect(grants).toEqual([{ to: N3, at: START + dead }]);
});

test('a named master that is Live (services not ready) is dropped, not granted a lease it would promote with later, past every gate', () => {
  const { grants, round, masterChanges, elector } = rig();
  round(0, { state: 'Live' });
  expect(masterChanges[0]).toMatch(/^none: the master is not Master and not electable now \(Live\)/);
  round(600, { state: 'Live' });
  // The election, by its own rules, picks the electable n2.
  expect(grants).toEqual([{ to: N2, at: START + 600 }]);
  expect(elector.master.id).toBe(N2);
});

test('in maintenance the named master is neither promoted nor is anything fenced for it', () => {
  const { elector, grants, fences, round } = rig({ fence: true });
  elector.setMaintenance(true);
  round(0);
  elector.absorbKnownMaster(GONE, 'n9', N2);
  round(600);
  round(1_500);
  expect(grants).toEqual([]);
  expect(fences).toEqual([]);
  expect(elector.snapshot().waiting).toMatchObject({ code: 'maintenance' });
});

test('a master learned from a follower and never fenced or heard stops holding the promotion after an hour', () => {
  const { elector, grants, fences, round } = rig({ fence: true });
  round(0);
  elector.absorbKnownMaster(GONE, 'n9', N2);
  round(600);
  expect(fences).toHaveLength(1); // the fence never answers
  round(60 * 60_000);
  expect(grants).toEqual([]);
  round(60 * 60_000 + 700);
  expect(grants).toEqual([{ to: N3, at: START + 60 * 60_000 + 700 }]);
});

describe('R8: masters owed to an election (not an election in effect)', () => {
  /** A leader whose own memory holds n9, never heard: n9 is fenced first; returns who was granted after the fence. */
  async function fencedFirst(viewMaster: string): Promise<{ granted: Array<{ to: string; at: number }>; master: string }> {
    const { elector, grants, fences, round, finishFence } = rig({ fence: true, viewMaster, remembered: { id: GONE, name: 'n9' } });
    round(0);
    round(600);
    expect(fences.map((f) => f.nodeId)).toEqual([GONE]);
    expect(grants).toEqual([]);
    finishFence();
    await new Promise((resolve) => setImmediate(resolve));
    round(800);
    return { granted: grants, master: elector.master.id };
  }

  test('a leader whose own memory (node.state_file) holds a master fences it before its first election when it stays silent', async () => {
    const { granted, master } = await fencedFirst('');
    expect(granted).toEqual([{ to: master, at: START + 800 }]);
    expect([N2, N3]).toContain(master);
  });

  test('its own memory counts also when its last view names a master not promoted yet (a stale view\'s): fenced before that promotion', async () => {
    expect((await fencedFirst(N3)).granted).toEqual([{ to: N3, at: START + 800 }]);
  });

  test('a learned master that is heard but has not reported holds the election through its grace, then is fenced (medium seed 9410913)', async () => {
    const { elector, grants, fences, round, heard, config } = rig({ fence: true, viewMaster: '', tableSince: START - 10_000 });
    round(0);
    elector.absorbKnownMaster(GONE, 'n9', N2);
    const dead = config.time.master_dead_time;
    for (let at = 600; at <= dead; at += 100) {
      heard.set(GONE, START + at); // n9 is heard (deaf: it follows nobody here) and never reports
      round(at);
      expect(grants).toEqual([]);
      expect(fences).toEqual([]);
      expect(elector.snapshot().waiting).toMatchObject({ code: 'fence-grace', until: START + dead });
    }
    heard.set(GONE, START + dead + 100);
    round(dead + 100);
    expect(fences.map((f) => f.nodeId)).toEqual([GONE]);
    expect(grants).toEqual([]);
  });
});

describe('a Master claim withdrawn (protocol 6; a review found a lapsed master\'s claim kept fresh for ever)', () => {
  // n3, the view's master, claims Master in a heartbeat answering one this leader sent once quorate (R5's
  // quick renewal: it holds a lease, a grant renews it). Then it says it is not Master: a grant would promote
  // it again, so it must pass every gate of an election — here R7's, while n2 holds promoted services.
  test('by a heartbeat without the Master flag', () => {
    const { elector, grants, round, report, advanceTo, tickAt, heard } = rig();
    round(0);
    advanceTo(100);
    elector.noteMasterClaim(N3, true, START + 50);
    advanceTo(150);
    elector.noteMasterClaim(N3, false);
    advanceTo(600);
    report(N2, { promoted: true });
    heard.set(N3, START + 600);
    tickAt(600);
    expect(grants).toEqual([]);
    expect(elector.snapshot().waiting).toMatchObject({ code: 'promoted-services' });
  });

  test('by a health report that is not Master; a claim answering an earlier heartbeat does not bring it back, a later one does', () => {
    const { elector, grants, round, report, advanceTo, tickAt, heard } = rig();
    round(0);
    advanceTo(100);
    elector.noteMasterClaim(N3, true, START + 50);
    advanceTo(150);
    report(N3); // Slave
    advanceTo(160);
    elector.noteMasterClaim(N3, true, START + 120); // made before that report: it answers a heartbeat sent before
    advanceTo(600);
    report(N2, { promoted: true });
    heard.set(N3, START + 600);
    tickAt(600);
    expect(grants).toEqual([]);
    // Master again, answering a heartbeat sent after the report: it holds the lease, and the grant renews it.
    advanceTo(700);
    elector.noteMasterClaim(N3, true, START + 650);
    report(N2, { promoted: true });
    tickAt(700);
    expect(grants).toEqual([{ to: N3, at: START + 700 }]);
  });
});
