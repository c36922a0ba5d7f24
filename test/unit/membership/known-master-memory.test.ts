/**
 * R8's memory on the membership alone: the master a node remembers (heartbeat `knownMasterId`) survives a
 * restart through the machine memory (`node.state_file`), aged by the wall clock and forgotten after an hour;
 * and a view naming another master replaces it only when that master holds the role (NodeFlag.Master in the
 * view), is named by the leader that named the remembered one, or is the same — not when a leader resumed from
 * a pause names a master from its stale view (seed 9921950: the crashed master the followers saw would be
 * forgotten, and nobody would fence it). The cases of the memory and of the stale view failed on 3a1e924; the
 * same-leader successor (seed 9603874) passed there too and must keep passing.
 */
import { VirtualClock } from '../../../core/clock';
import { KNOWN_MASTER_MEMORY_MS } from '../../../core/config/timing-defaults';
import { defaultConfig } from '../../../core/config/defaults';
import { createHooks } from '../../../core/hooks';
import { Membership } from '../../../core/membership/membership';
import { InMemoryMachineMemory } from '../../../core/node/machine-memory';
import { safetyRules } from '../../../core/safety-rules';
import { NodeFlag, type ClusterView, type HeartBeat } from '../../../plugin-api';
import { createTestLogger } from '../../helpers/logger';
import { quietMembershipCallbacks } from './stubs';

const SELF = '55555555-5555-4555-8555-555555555555';
const L1 = '99999999-9999-4999-8999-999999999999';
const L2 = '88888888-8888-4888-8888-888888888888';
const M_OLD = '33333333-3333-4333-8333-333333333333';
const M_NEW = '44444444-4444-4444-8444-444444444444';

function rig(memory = new InMemoryMachineMemory(), wallStart = 1_800_000_000_000) {
  const clock = new VirtualClock({ start: 50_000, epoch: wallStart - 50_000 });
  const { logger } = createTestLogger();
  const broadcasts: HeartBeat[] = [];
  const membership = new Membership({
    self: { id: SELF, name: 'me' }, config: defaultConfig(), clock, logger, hooks: createHooks(logger), startedAt: 50_000, firstSeq: 1,
    rules: safetyRules(), broadcast: (beat) => broadcasts.push(beat), ...quietMembershipCallbacks(SELF),
    configuredAddresses: () => null, machineMemory: memory,
  });
  let uptime = 10_000;
  const view = (leaderId: string, masterId: string, masterFlagged: boolean, masterAgoMs = 10): ClusterView => ({
    leaderId, masterId, masterName: masterId === M_OLD ? 'old' : 'new', maintenance: false, manualMaster: false,
    nodes: [
      { id: SELF, name: 'me', flags: NodeFlag.Elector, addresses: [], lastSeenAgoMs: 10 },
      { id: masterId, name: 'm', flags: NodeFlag.Runner | (masterFlagged ? NodeFlag.Master : 0), addresses: [], lastSeenAgoMs: masterAgoMs },
    ],
  });
  const fromLeader = (leaderId: string, masterId: string, masterFlagged = true, masterAgoMs = 10): void => {
    uptime += 50;
    membership.handleHeartbeat(leaderId, {
      kind: 'heartbeat', name: leaderId === L1 ? 'l1' : 'l2', flags: NodeFlag.Elector | NodeFlag.Leader, seenAddress: '', uptimeMs: uptime,
      holdMs: 1_500, ackWindowMs: 150, view: view(leaderId, masterId, masterFlagged, masterAgoMs),
    }, leaderId === L1 ? '10.0.0.9:42012' : '10.0.0.8:42012');
  };
  return { clock, membership, memory, fromLeader, broadcasts };
}

test('the remembered master survives a restart of the process, aged by the wall clock, and is forgotten after an hour', () => {
  const first = rig();
  first.fromLeader(L1, M_OLD);
  expect(first.membership.rememberedMaster()).toEqual({ id: M_OLD, name: 'old', ageMs: 0 });
  expect(first.memory.loadKnownMaster()).toEqual({ id: M_OLD, name: 'old', wallAt: first.clock.wallNow(), from: L1, writerId: SELF });
  // A new process on the same machine 10 minutes later (wall clock), fresh monotonic clock.
  const restarted = rig(first.memory, first.clock.wallNow() + 10 * 60_000);
  expect(restarted.membership.rememberedMaster()).toEqual({ id: M_OLD, name: 'old', ageMs: 10 * 60_000 });
  restarted.clock.advance(KNOWN_MASTER_MEMORY_MS - 10 * 60_000 + 1);
  expect(restarted.membership.rememberedMaster()).toBeNull();
  // Started more than an hour after it was last seen: not remembered at all.
  expect(rig(first.memory, first.clock.wallNow() + KNOWN_MASTER_MEMORY_MS + 1).membership.rememberedMaster()).toBeNull();
  // A wall clock stepped back counts as no time at all; a date more than an hour ahead is not believed.
  expect(rig(first.memory, first.clock.wallNow() - 60_000).membership.rememberedMaster()).toEqual({ id: M_OLD, name: 'old', ageMs: 0 });
  expect(rig(first.memory, first.clock.wallNow() - KNOWN_MASTER_MEMORY_MS - 1).membership.rememberedMaster()).toBeNull();
  // What the node advertises in its heartbeats (R8's channel) after the restart, following nobody yet.
  const again = rig(first.memory, first.clock.wallNow() + 1_000);
  again.membership.tick();
  expect(again.broadcasts.at(-1)).toMatchObject({ knownMasterId: M_OLD, knownMasterName: 'old' });
});

test('a master that was this machine\'s own earlier process is not remembered (whatever its name now)', () => {
  const memory = new InMemoryMachineMemory();
  memory.saveKnownMaster({ id: M_OLD, name: 'old-name', wallAt: 1_800_000_000_000, from: L1, writerId: M_OLD });
  expect(rig(memory, 1_800_000_001_000).membership.rememberedMaster()).toBeNull();
});

test('an unchanged master is written again at most once a minute (a crash loses at most that much of its age)', () => {
  const { clock, memory, fromLeader } = rig();
  fromLeader(L1, M_OLD);
  const firstWall = memory.loadKnownMaster()?.wallAt;
  clock.advance(30_000);
  fromLeader(L1, M_OLD);
  expect(memory.loadKnownMaster()?.wallAt).toBe(firstWall);
  clock.advance(31_000);
  fromLeader(L1, M_OLD);
  expect(memory.loadKnownMaster()?.wallAt).toBe(clock.wallNow());
});

test('a stale view from a new leader naming a master that does not hold the role does not erase the remembered one', () => {
  const { membership, fromLeader, clock } = rig();
  fromLeader(L1, M_OLD);
  clock.advance(2_000); // L1 falls silent; L2 (resumed from a pause) leads with a view from before
  fromLeader(L2, M_NEW, false);
  expect(membership.rememberedMaster()).toMatchObject({ id: M_OLD, name: 'old' });
  // Once the named master holds the role (its entry carries NodeFlag.Master, heard lately), it is the one remembered.
  fromLeader(L2, M_NEW, true);
  expect(membership.rememberedMaster()).toMatchObject({ id: M_NEW, name: 'new' });
});

test('a Master flag the leader heard long ago (its entry from before a pause) does not count', () => {
  const { membership, fromLeader, clock } = rig();
  fromLeader(L1, M_OLD);
  clock.advance(2_000);
  fromLeader(L2, M_NEW, true, 5_000);
  expect(membership.rememberedMaster()).toMatchObject({ id: M_OLD });
});

test('a memory older than an hour is empty: any view\'s master replaces it', () => {
  const { membership, fromLeader, clock } = rig();
  fromLeader(L1, M_OLD);
  clock.advance(KNOWN_MASTER_MEMORY_MS + 1);
  fromLeader(L2, M_NEW, false);
  expect(membership.rememberedMaster()).toMatchObject({ id: M_NEW });
});

test('the leader that named the remembered master may replace it with one not promoted yet (its own successor: seed 9603874)', () => {
  const { membership, fromLeader } = rig();
  fromLeader(L1, M_OLD);
  fromLeader(L1, M_NEW, false);
  expect(membership.rememberedMaster()).toMatchObject({ id: M_NEW, name: 'new' });
});
