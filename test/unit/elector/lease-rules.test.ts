/**
 * The leader's lease rules (core/elector/lease-rules.ts) one by one, with
 * properties over the whole range of times and timings.
 */
import fc from 'fast-check';
import { claimAnswersQuorum, claimsFreshly, grant, mayGrant, otherLeadersLeasesUntil, replacementWait, replacementWaitEnds } from '../../../core/elector/lease-rules';

const time = fc.integer({ min: 0, max: 10_000_000 });
const ms = fc.integer({ min: 1, max: 600_000 });

describe('grant (R3)', () => {
  test('carries its own length and is held by the leader lease + margin from now', () => {
    fc.assert(fc.property(time, ms, ms, (now, lease, margin) => {
      const g = grant(now, lease, margin);
      expect(g.leaseMs).toBe(lease);
      expect(g.holdUntil).toBe(now + lease + margin);
    }));
  });
});

describe('the unconditional wait (R2)', () => {
  test('no election of a runner without a fresh lease before the quorum\'s freedom (or its start, if earlier) + the longest hold, whatever else is known', () => {
    fc.assert(fc.property(time, ms, fc.integer({ min: -600_000, max: 600_000 }), fc.integer({ min: 0, max: 600_000 }), fc.boolean(), (quorateSince, hold, freeOffset, into, selfDemoted) => {
      const freeAt = quorateSince + freeOffset;
      const othersUntil = otherLeadersLeasesUntil(quorateSince, freeAt, hold, true);
      const now = Math.min(quorateSince, freeAt) + Math.min(into, hold - 1);
      const reason = replacementWait({
        now, othersUntil, chosenClaimsFreshly: false,
        // Even with no previous master (a leader that never knew one) or one that demoted itself.
        previous: selfDemoted ? { name: 'old', holdUntil: -Infinity, selfDemoted: true } : null,
      });
      expect(reason).toMatch(/leases a previous leader may have granted/);
    }));
  });

  test('naming the runner that already holds a fresh lease promotes nobody new and needs no wait', () => {
    expect(replacementWait({ now: 10, othersUntil: 1_000, chosenClaimsFreshly: true, previous: null })).toBe('');
  });

  test('ends exactly at the quorum\'s freedom + hold when that came first (the usual failover: the wait overlaps the election)', () => {
    const othersUntil = otherLeadersLeasesUntil(5_000, 4_700, 1_500, true);
    expect(replacementWait({ now: 6_199, othersUntil, chosenClaimsFreshly: false, previous: null })).not.toBe('');
    expect(replacementWait({ now: 6_200, othersUntil, chosenClaimsFreshly: false, previous: null })).toBe('');
  });

  test('ends at quorateSince + hold when a node of the quorum becomes free only later (a fresh start)', () => {
    const othersUntil = otherLeadersLeasesUntil(5_000, 5_300, 1_500, true);
    expect(replacementWait({ now: 6_499, othersUntil, chosenClaimsFreshly: false, previous: null })).not.toBe('');
    expect(replacementWait({ now: 6_500, othersUntil, chosenClaimsFreshly: false, previous: null })).toBe('');
  });

  test('disabled only for the teeth run', () => {
    expect(otherLeadersLeasesUntil(5_000, 4_700, 1_500, false)).toBe(-Infinity);
  });
});

describe('the end of the wait (the election runs when it ends: Elector.scheduleDecision)', () => {
  test('replacementWait holds the election exactly while now is before replacementWaitEnds, for every input', () => {
    const hold = fc.option(time, { nil: -Infinity });
    fc.assert(fc.property(time, hold, fc.boolean(), fc.option(fc.record({ holdUntil: hold, selfDemoted: fc.boolean() }), { nil: null }),
      (now, othersUntil, chosenClaimsFreshly, prev) => {
        const input = { othersUntil, chosenClaimsFreshly, previous: prev && { name: 'old', ...prev } };
        expect(replacementWait({ now, ...input }) !== '').toBe(now < replacementWaitEnds(input));
      }), { numRuns: 2000 });
  });
});

describe('the previous master (R3)', () => {
  test('is waited out until the hold of the last grant, unless it demoted itself', () => {
    fc.assert(fc.property(time, ms, ms, (sent, lease, margin) => {
      const { holdUntil } = grant(sent, lease, margin);
      const prev = { name: 'm', holdUntil, selfDemoted: false };
      expect(replacementWait({ now: holdUntil - 1, othersUntil: -Infinity, chosenClaimsFreshly: false, previous: prev })).toMatch(/lease of m/);
      expect(replacementWait({ now: holdUntil, othersUntil: -Infinity, chosenClaimsFreshly: false, previous: prev })).toBe('');
      expect(replacementWait({ now: holdUntil - 1, othersUntil: -Infinity, chosenClaimsFreshly: false, previous: { ...prev, selfDemoted: true } })).toBe('');
    }));
  });
});

describe('mayGrant (R4, R5)', () => {
  const base = { leaseQuorate: true, hasMaster: true, chainUnbroken: false, electedHere: false, claimsFreshly: false, now: 0, othersUntil: 1_000 };

  test('never without the lease quorum or a master', () => {
    fc.assert(fc.property(fc.record({
      chainUnbroken: fc.boolean(), electedHere: fc.boolean(), claimsFreshly: fc.boolean(), now: time, othersUntil: time,
    }), (d) => {
      expect(mayGrant({ ...d, leaseQuorate: false, hasMaster: true })).toBe(false);
      expect(mayGrant({ ...d, leaseQuorate: true, hasMaster: false })).toBe(false);
    }));
  });

  test('an inherited master is renewed at once only when it claims Master freshly, else after the wait', () => {
    expect(mayGrant(base)).toBe(false);
    expect(mayGrant({ ...base, claimsFreshly: true })).toBe(true);
    expect(mayGrant({ ...base, chainUnbroken: true })).toBe(true);
    expect(mayGrant({ ...base, electedHere: true })).toBe(true);
    expect(mayGrant({ ...base, now: 1_000 })).toBe(true);
  });
});

describe('claimsFreshly', () => {
  test('a Master report counts only when it arrived one ack window after the leader became quorate', () => {
    expect(claimsFreshly(true, 1_149, 1_000, 150)).toBe(false);
    expect(claimsFreshly(true, 1_150, 1_000, 150)).toBe(true);
    expect(claimsFreshly(false, 5_000, 1_000, 150)).toBe(false);
    expect(claimsFreshly(true, 5_000, -Infinity, 150)).toBe(false);
  });
});

describe('claimAnswersQuorum (protocol 4: a heartbeat\'s Master claim proven fresh by what it answers)', () => {
  test('a claim answering a heartbeat this leader sent once quorate is fresh at once; one answering an earlier heartbeat is not', () => {
    expect(claimAnswersQuorum(1_000, 1_000)).toBe(true);
    expect(claimAnswersQuorum(1_050, 1_000)).toBe(true);
    // Sent 1 ms before the quorum began: the claim may predate another leader's last grant.
    expect(claimAnswersQuorum(999, 1_000)).toBe(false);
    expect(claimAnswersQuorum(-Infinity, 1_000)).toBe(false);
    // Not quorate: nothing is fresh.
    expect(claimAnswersQuorum(5_000, -Infinity)).toBe(false);
  });
});
