/**
 * A fake AdminBackend and a fake network of admin servers, for the admin
 * layer's unit tests. Each fake node knows the others by address; forwarding
 * calls the other node's server directly.
 */
import type { AdminRequest, AdminResponse } from '../../../plugin-api';
import type { ActionOutcome, AdminBackend, ReconfigureOutcome } from '../../../core/admin/backend';
import type { ClusterNodeStatus, ClusterStatus, FailureRecord, LocalStatus, NodeRef } from '../../../core/admin/schema';
import { createAdminServer, type AdminServer } from '../../../core/admin/server';
import { isMutatingCommand } from '../../../core/admin/commands';
import type { DeclaredCommand } from '../../../core/admin/commands';
import { parseAllowList } from '../../../core/admin/policy';
import type { AdminPolicy } from '../../../core/admin/policy';
import { createHooks } from '../../../core/hooks';
import { createTestLogger } from '../../helpers/logger';
import type { KoiHooks } from '../../../plugin-api';

export interface FakeNodeSpec {
  id: string;
  name: string;
  address: string;
  runner?: boolean;
  elector?: boolean;
}

export class FakeCluster {
  readonly nodes: FakeBackend[] = [];
  leaderId: string | null = null;
  masterId: string | null = null;
  /** Addresses that drop everything (a dead node). */
  readonly unreachable = new Set<string>();

  add(spec: FakeNodeSpec): FakeBackend {
    const node = new FakeBackend(this, spec);
    this.nodes.push(node);
    return node;
  }

  byAddress(address: string): FakeBackend | undefined {
    return this.nodes.find((n) => n.spec.address === address);
  }

  ref(id: string | null): NodeRef | null {
    const n = this.nodes.find((x) => x.spec.id === id);
    return n ? { id: n.spec.id, name: n.spec.name } : null;
  }
}

export class FakeBackend implements AdminBackend {
  readonly calls: string[] = [];
  readonly forwarded: Array<{ address: string; request: AdminRequest }> = [];
  readonly hooks: KoiHooks;
  readonly server: AdminServer;
  readonly log = createTestLogger();
  maintenance = false;
  manualMaster = false;
  targetMasterId: string | null = null;
  failureList: FailureRecord[] = [];
  refuse: string | null = null;
  reconfigureOutcome: ReconfigureOutcome = { ok: true };
  /** Override the leader address this node believes in (inconsistent views). */
  leaderAddressOverride: string | null | undefined = undefined;
  /** Per-node view override: this node does not know some nodes. */
  hidden = new Set<string>();
  /** Commands this node's plugins declare. */
  declared: DeclaredCommand[] = [];
  /** Network admin policy (default full, any source). */
  policy: AdminPolicy = { networkAdmin: 'full', allow: parseAllowList('') };

  constructor(readonly cluster: FakeCluster, readonly spec: FakeNodeSpec) {
    this.hooks = createHooks(this.log.logger);
    this.server = createAdminServer({
      backend: this, hooks: this.hooks, logger: this.log.logger, commands: () => this.declared, policy: () => this.policy,
    });
  }

  private known(): FakeBackend[] {
    return this.cluster.nodes.filter((n) => !this.hidden.has(n.spec.id));
  }

  private roles(n: FakeBackend) {
    return { elector: n.spec.elector ?? true, runner: n.spec.runner ?? true };
  }

  private stateOf(n: FakeBackend): ClusterNodeStatus['state'] {
    if (!this.roles(n).runner) return this.roles(n).elector ? 'Elector' : 'Other';
    return this.cluster.masterId === n.spec.id ? 'Master' : 'Slave';
  }

  localStatus(): LocalStatus {
    const roles = this.roles(this);
    return {
      id: this.spec.id, name: this.spec.name, version: '0.1.0', roles,
      flags: [...(roles.elector ? ['Elector' as const] : []), ...(roles.runner ? ['Runner' as const] : []), ...(this.isLeader() ? ['Leader' as const] : [])],
      state: this.stateOf(this), mode: roles.runner ? 'Active' : null, electionMode: roles.elector ? (this.isLeader() ? 'leader' : 'servant') : null,
      target: roles.runner ? 'Start' : null, stopped: false,
      leader: this.cluster.ref(this.cluster.leaderId), master: this.cluster.ref(this.cluster.masterId),
      maintenance: this.maintenance, quorum: { configured: 0, seen: this.cluster.nodes.length, has: true },
      uptimeMs: 65_000, addresses: [this.spec.address],
      services: roles.runner ? [{ name: '10-vip', state: 'Started' }, { name: '99-app', state: 'Started' }] : [],
      failCount: 0, lastFailure: null,
    };
  }

  clusterStatus(): ClusterStatus | null {
    if (!this.isLeader()) return null;
    return {
      clusterId: 13,
      leader: { id: this.spec.id, name: this.spec.name },
      master: this.cluster.ref(this.cluster.masterId),
      targetMaster: this.cluster.ref(this.targetMasterId),
      manualMaster: this.manualMaster,
      maintenance: this.maintenance,
      quorum: { configured: 2, seen: this.cluster.nodes.length, has: true },
      nodes: this.known().map((n) => ({
        id: n.spec.id, name: n.spec.name, roles: this.roles(n),
        flags: n === this ? ['Elector', 'Runner', 'Leader'] : ['Elector', 'Runner'],
        state: this.stateOf(n), mode: this.roles(n).runner ? 'Active' : null, address: n.spec.address,
        lastSeenAgoMs: n === this ? 0 : 300, uptimeMs: 65_000,
        services: this.roles(n).runner ? [{ name: '10-vip', state: this.cluster.masterId === n.spec.id ? 'Promoted' : 'Started' }] : [],
        failCount: 0, lastFailure: null,
      })),
    };
  }

  isLeader(): boolean {
    return this.cluster.leaderId === this.spec.id;
  }

  leaderAddress(): string | null {
    if (this.leaderAddressOverride !== undefined) return this.leaderAddressOverride;
    return this.cluster.nodes.find((n) => n.spec.id === this.cluster.leaderId)?.spec.address ?? null;
  }

  nodeAddress(nameOrId: string): string | null {
    const ref = this.resolveNode(nameOrId);
    return ref ? (this.cluster.nodes.find((n) => n.spec.id === ref.id)?.spec.address ?? null) : null;
  }

  knownNodeNames(): string[] {
    return this.known().map((n) => n.spec.name);
  }

  resolveNode(nameOrId: string): NodeRef | null {
    const nodes = this.known();
    const n = nodes.find((x) => x.spec.id === nameOrId) ?? nodes.find((x) => x.spec.name === nameOrId);
    return n ? { id: n.spec.id, name: n.spec.name } : null;
  }

  private act(call: string): ActionOutcome {
    this.calls.push(call);
    return this.refuse ? { ok: false, reason: this.refuse } : { ok: true };
  }

  promote(id: string): ActionOutcome {
    const outcome = this.act(`promote ${id}`);
    if (outcome.ok) this.targetMasterId = id;
    return outcome;
  }
  demote(): ActionOutcome {
    this.manualMaster = true;
    this.cluster.masterId = null;
    return this.act('demote');
  }
  async elect(): Promise<ActionOutcome> {
    this.manualMaster = false;
    return this.act('elect');
  }
  setMaintenance(on: boolean): ActionOutcome {
    this.maintenance = on;
    return this.act(`maintenance ${on}`);
  }
  stopRunner(): ActionOutcome {
    return this.act('stop');
  }
  startRunner(): ActionOutcome {
    return this.act('start');
  }
  recover(): ActionOutcome {
    return this.act('recover');
  }
  async reconfigure(): Promise<ReconfigureOutcome> {
    this.calls.push('reconfigure');
    return this.reconfigureOutcome;
  }
  failures(): FailureRecord[] {
    return this.failureList;
  }

  async sendRequest(address: string, request: AdminRequest, options?: { challenge: boolean }): Promise<AdminResponse> {
    this.forwarded.push({ address, request });
    const target = this.cluster.byAddress(address);
    if (!target || this.cluster.unreachable.has(address)) throw new Error(`no answer from ${address} within 2000 ms`);
    const sent = options?.challenge ? await addressed(target.server, request, this.spec.address) : request;
    return target.server.handle(sent, this.spec.address);
  }

  /** Ask this node as a `koi` client would: mutating commands answer the node's challenge first. */
  async ask(req: AdminRequest, from = 'client'): Promise<AdminResponse> {
    return this.server.handle(isMutatingCommand(req.command) ? await addressed(this.server, req, from) : req, from);
  }
}

/** `req` addressed to the node behind `server`, bound to a fresh nonce of its (docs/wire.md "Admin requests"). */
export async function addressed(server: AdminServer, req: AdminRequest, from = 'client'): Promise<AdminRequest> {
  const answer = await server.handle({ ...request(req.command), hops: req.hops, challenge: true }, from);
  if (answer.nonce === undefined || answer.nodeId === undefined) throw new Error(`no challenge: ${answer.text}`);
  return { ...req, target: answer.nodeId, nonce: answer.nonce };
}

let nextId = 0;
export function request(command: string, args: string[] = [], hops = 0): AdminRequest {
  nextId++;
  return { kind: 'request', requestId: `00000000-0000-4000-8000-${String(nextId).padStart(12, '0')}`, command, args, hops };
}

/** Three runner+elector nodes a (leader), b (master), c; plus an elector-only node e. */
export function threeNodes(): { cluster: FakeCluster; a: FakeBackend; b: FakeBackend; c: FakeBackend; e: FakeBackend } {
  const cluster = new FakeCluster();
  const a = cluster.add({ id: 'aaaaaaaa-0000-4000-8000-000000000001', name: 'alpha', address: '127.0.0.1:42001' });
  const b = cluster.add({ id: 'bbbbbbbb-0000-4000-8000-000000000002', name: 'bravo', address: '127.0.0.1:42002' });
  const c = cluster.add({ id: 'cccccccc-0000-4000-8000-000000000003', name: 'charlie', address: '[::1]:42003' });
  const e = cluster.add({ id: 'eeeeeeee-0000-4000-8000-000000000004', name: 'echo', address: '127.0.0.1:42004', runner: false });
  cluster.leaderId = a.spec.id;
  cluster.masterId = b.spec.id;
  return { cluster, a, b, c, e };
}
