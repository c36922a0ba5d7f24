/** The Membership callbacks a unit test of the membership alone does not watch: each does nothing. */
export function quietMembershipCallbacks(selfId: string) {
  return {
    extraFlags: () => 0,
    leaderView: () => ({ leaderId: selfId, masterId: '', masterName: '', maintenance: false, manualMaster: false, nodes: [] }),
    onLeadershipChange: () => undefined,
    onViewAdopted: () => undefined,
    onForeignView: () => undefined,
    onKnownMaster: () => undefined,
  };
}
