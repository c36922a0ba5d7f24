/**
 * R1 of docs/safety.md on the membership alone: a follower answers one
 * leader at a time, and a second leader only the switch gap `W + δ + F` after its last answer
 * to the first; a leader counts an answer from the send time of the
 * heartbeat it answers; health reports are not answers. L1: a leader whose
 * view does not list this node is not followed.
 */
import { VirtualClock } from '../../../core/clock';
import { defaultConfig } from '../../../core/config/defaults';
import { createHooks } from '../../../core/hooks';
import { switchGapMs } from '../../../core/config/safety-bounds';
import { Membership } from '../../../core/membership/membership';
import { safetyRules, type SafetyRule } from '../../../core/safety-rules';
import { NodeFlag, type ClusterView, type HeartBeat } from '../../../plugin-api';
import { createTestLogger } from '../../helpers/logger';
import { quietMembershipCallbacks } from './stubs';

const SELF = '55555555-5555-4555-8555-555555555555';
const LOW = '33333333-3333-4333-8333-333333333333';
const HIGH = '99999999-9999-4999-8999-999999999999';

function rig(disabled: SafetyRule[] = []) {
  const clock = new VirtualClock();
  const claims: Array<{ id: string; master: boolean; answeringSentAt?: number }> = [];
  const config = defaultConfig();
  const { logger } = createTestLogger();
  const answers: Array<{ to: string; at: number; beat: HeartBeat }> = [];
  const broadcasts: HeartBeat[] = [];
  const membership = new Membership({
    self: { id: SELF, name: 'me' }, config, clock, logger, hooks: createHooks(logger), startedAt: 0, firstSeq: 1, rules: safetyRules(disabled),
    // Answers ride on the follower's broadcast heartbeat and name the leader they answer.
    broadcast: (beat) => { broadcasts.push(beat); if (beat.answersLeaderId) answers.push({ to: beat.answersLeaderId, at: clock.now(), beat }); },
    ...quietMembershipCallbacks(SELF),
    onMasterClaim: (id, master, answeringSentAt) => claims.push({ id, master, answeringSentAt }),
    configuredAddresses: () => null,
  });
  const view = (leaderId: string, listsMe = true): ClusterView => ({
    leaderId, masterId: '', masterName: '', maintenance: false, manualMaster: false,
    nodes: listsMe ? [{ id: SELF, name: 'me', flags: NodeFlag.Elector, addresses: [], lastSeenAgoMs: 10 }] : [],
  });
  const leaderBeat = (id: string, name: string, uptimeMs: number, listsMe: boolean | number = true, sinceSeq = 1): HeartBeat => ({
    kind: 'heartbeat', name, flags: NodeFlag.Elector | NodeFlag.Leader, seenAddress: '', uptimeMs, uptimeSinceSeq: sinceSeq, holdMs: 1500,
    ackWindowMs: 150, view: view(id, listsMe !== false),
  });
  return { clock, membership, answers, broadcasts, leaderBeat, claims };
}

/** A rig whose node leads: no higher node is heard, so it stands and leads after its candidacy. */
function leading() {
  const r = rig();
  const I = defaultConfig().time.cluster_update_interval;
  for (let k = 0; k < 12 && !r.membership.isLeader(); k++) {
    r.clock.advance(I);
    r.membership.tick();
  }
  expect(r.membership.isLeader()).toBe(true);
  return r;
}

describe('R1: exclusive acknowledgements', () => {
  test('after answering one leader, a node answers a higher one only the switch gap W + δ + F₁ later', () => {
    const { clock, membership, answers, leaderBeat } = rig();
    const gap = switchGapMs(150, 50); // 407 ms at the defaults (protocol 6)
    membership.handleHeartbeat(LOW, leaderBeat(LOW, 'low', 1000), '10.0.0.3:42012');
    expect(answers.map((a) => a.to)).toEqual([LOW]);
    // A higher leader appears: followed at once, but not answered within the switch gap of the last answer.
    clock.advance(10);
    membership.handleHeartbeat(HIGH, leaderBeat(HIGH, 'high', 5000), '10.0.0.9:42012');
    expect(membership.currentLeaderId()).toBe(HIGH);
    clock.advance(gap - 11);
    membership.handleHeartbeat(HIGH, leaderBeat(HIGH, 'high', 4999 + gap), '10.0.0.9:42012');
    expect(answers).toHaveLength(1);
    clock.advance(1);
    membership.handleHeartbeat(HIGH, leaderBeat(HIGH, 'high', 5000 + gap, 1, 7), '10.0.0.9:42012');
    expect(answers.map((a) => a.to)).toEqual([LOW, HIGH]);
    // The answer echoes the uptime of the heartbeat it answers (the leader dates it from its own send time), and
    // which incarnation of that leader sent it (protocol 6).
    expect(answers[1].beat.answersUptimeMs).toBe(5000 + gap);
    expect(answers[1].beat.answersSinceSeq).toBe(7);
  });

  test('with the rule off (teeth run), the second leader is answered at once', () => {
    const { clock, membership, answers, leaderBeat } = rig(['exclusive-acks']);
    membership.handleHeartbeat(LOW, leaderBeat(LOW, 'low', 1000), '10.0.0.3:42012');
    clock.advance(30);
    membership.handleHeartbeat(HIGH, leaderBeat(HIGH, 'high', 5000), '10.0.0.9:42012');
    expect(answers.map((a) => a.to)).toEqual([LOW, HIGH]);
  });
});

describe('protocol 2: the answer is the follower\'s regular heartbeat (issue 15)', () => {
  test('a follower sends one heartbeat per interval, answering each leader heartbeat once', () => {
    const { clock, membership, broadcasts, leaderBeat } = rig();
    const I = defaultConfig().time.cluster_update_interval;
    for (let k = 0; k < 20; k++) {
      membership.handleHeartbeat(HIGH, leaderBeat(HIGH, 'high', 1000 + k * I), '10.0.0.9:42012');
      // The same heartbeat over a second link is not answered again.
      membership.handleHeartbeat(HIGH, leaderBeat(HIGH, 'high', 1000 + k * I), '10.1.0.9:42012');
      clock.advance(I / 2);
      membership.tick();
      clock.advance(I / 2);
    }
    expect(broadcasts).toHaveLength(20);
    expect(broadcasts.map((b) => b.answersUptimeMs)).toEqual(Array.from({ length: 20 }, (_, k) => 1000 + k * I));
    expect(broadcasts.every((b) => b.answersLeaderId === HIGH)).toBe(true);
  });

  test('a leader restarted in-process (same id, uptime from zero) is answered again (nemesis seed 20261592)', () => {
    const { clock, membership, answers, leaderBeat } = rig();
    membership.handleHeartbeat(HIGH, leaderBeat(HIGH, 'high', 12_970), '10.0.0.9:42012');
    clock.advance(5_000);
    membership.handleHeartbeat(HIGH, leaderBeat(HIGH, 'high', 520), '10.0.0.9:42012');
    expect(answers.map((a) => a.beat.answersUptimeMs)).toEqual([12_970, 520]);
  });

  test('without a leader heartbeat the tick still sends, without an answer', () => {
    const { clock, membership, broadcasts } = rig();
    const I = defaultConfig().time.cluster_update_interval;
    for (let k = 0; k < 5; k++) {
      clock.advance(I);
      membership.tick();
    }
    expect(broadcasts).toHaveLength(5);
    expect(broadcasts.some((b) => b.answersLeaderId)).toBe(false);
  });

  test('a leader counts only answers that name it', () => {
    const { membership, clock } = leading();
    const follower = (answersLeaderId: string, answersSinceSeq = 1): HeartBeat => ({
      kind: 'heartbeat', name: 'low', flags: NodeFlag.Elector, seenAddress: '', uptimeMs: 77, holdMs: 1500, ackWindowMs: 150,
      answersLeaderId, answersUptimeMs: Math.floor(clock.now() - 10), answersSinceSeq,
    });
    const before = membership.ackCount();
    membership.handleHeartbeat(LOW, follower(HIGH), '10.0.0.3:42012');
    expect(membership.ackCount()).toBe(before);
    // An answer to an earlier incarnation of this leader (same id, a clock that began at another sequence number):
    // its uptime is on that incarnation's clock, not this one's (protocol 6).
    membership.handleHeartbeat(LOW, follower(SELF, 2), '10.0.0.3:42012');
    expect(membership.ackCount()).toBe(before);
    membership.handleHeartbeat(LOW, follower(SELF), '10.0.0.3:42012');
    expect(membership.ackCount()).toBe(before + 1);
  });
});

describe('R5: a Master claim is dated by the heartbeat it answers', () => {
  test('exactly, not floored: the heartbeat sent the moment the lease quorum began dates its answers after it', () => {
    const { membership, broadcasts, claims, clock } = leading();
    const I = defaultConfig().time.cluster_update_interval;
    clock.advance(I / 2 + 0.6); // the quorum begins at a fractional millisecond, and a heartbeat goes at once
    const quorateSince = clock.now();
    membership.tick(true);
    const sent = broadcasts.at(-1)!;
    expect(sent.uptimeMs).toBe(Math.floor(quorateSince)); // the wire carries whole milliseconds
    clock.advance(2);
    const answer = (flags: number, answersSinceSeq = 1): HeartBeat => ({
      kind: 'heartbeat', name: 'low', flags, seenAddress: '', uptimeMs: 77, holdMs: 1500, ackWindowMs: 150,
      answersLeaderId: SELF, answersUptimeMs: sent.uptimeMs, answersSinceSeq,
    });
    membership.handleHeartbeat(LOW, answer(NodeFlag.Runner | NodeFlag.Master), '10.0.0.3:42012');
    expect(claims.at(-1)).toEqual({ id: LOW, master: true, answeringSentAt: quorateSince });
    // A heartbeat without the flag is reported too (it withdraws the claim), and one answering an earlier
    // incarnation of this leader answers nothing of this one's.
    membership.handleHeartbeat(LOW, answer(NodeFlag.Runner, 2), '10.0.0.3:42012');
    expect(claims.at(-1)).toEqual({ id: LOW, master: false, answeringSentAt: undefined });
  });
});

describe('L1: deaf leaders', () => {
  test('a leader whose view does not list this node is neither followed nor answered', () => {
    const { membership, answers, leaderBeat } = rig();
    membership.handleHeartbeat(HIGH, leaderBeat(HIGH, 'deaf', 5000, false), '10.0.0.9:42012');
    expect(membership.currentLeaderId()).toBe('');
    expect(answers).toEqual([]);
    membership.handleHeartbeat(HIGH, leaderBeat(HIGH, 'deaf', 5050, true), '10.0.0.9:42012');
    expect(membership.currentLeaderId()).toBe(HIGH);
  });
});

describe('L2: a leader that hears a quorum is preferred', () => {
  const LOWER = '44444444-4444-4444-8444-444444444444';
  test('of two leaders that hear this node, the higher one whose view lists fewer than a quorum of heard nodes is not followed; once it lists a quorum it is', () => {
    const clock = new VirtualClock();
    const config = defaultConfig();
    config.cluster.quorum = 3;
    const { logger } = createTestLogger();
    const membership = new Membership({
      self: { id: SELF, name: 'me' }, config, clock, logger, hooks: createHooks(logger), startedAt: 0, firstSeq: 1, rules: safetyRules(),
      broadcast: () => undefined, ...quietMembershipCallbacks(SELF), configuredAddresses: () => null,
    });
    const entry = (id: string, name: string, ago = 10) => ({ id, name, flags: NodeFlag.Elector, addresses: [], lastSeenAgoMs: ago });
    const beat = (id: string, name: string, uptimeMs: number, others: Array<ReturnType<typeof entry>>): HeartBeat => ({
      kind: 'heartbeat', name, flags: NodeFlag.Elector | NodeFlag.Leader, seenAddress: '', uptimeMs, holdMs: 1500, ackWindowMs: 150,
      view: { leaderId: id, masterId: '', masterName: '', maintenance: false, manualMaster: false, nodes: [entry(id, name, 0), entry(SELF, 'me'), ...others] },
    });
    // HIGH hears only this node (2 of 3); LOWER hears this node and one more (3 of 3).
    membership.handleHeartbeat(HIGH, beat(HIGH, 'high', 1000, []), '10.0.0.9:42012');
    membership.handleHeartbeat(LOWER, beat(LOWER, 'lower', 1000, [entry(LOW, 'low')]), '10.0.0.4:42012');
    expect(membership.currentLeaderId()).toBe(LOWER);
    // A node listed but not heard for node_timeout does not count.
    clock.advance(10);
    membership.handleHeartbeat(HIGH, beat(HIGH, 'high', 1010, [entry(LOW, 'low', config.time.node_timeout + 1)]), '10.0.0.9:42012');
    expect(membership.currentLeaderId()).toBe(LOWER);
    // HIGH comes to hear a quorum: the higher id wins again.
    clock.advance(10);
    membership.handleHeartbeat(HIGH, beat(HIGH, 'high', 1020, [entry(LOW, 'low')]), '10.0.0.9:42012');
    expect(membership.currentLeaderId()).toBe(HIGH);
  });
});
