/**
 * The node side of `koi`: answers admin requests (SPEC §9). Commands that
 * belong to the leader are forwarded to it, commands naming another node to
 * that node, so the client gets one answer from whichever node it asked.
 * Unknown commands go to plugins through `hooks.onAdminCommand`.
 */
import { randomUUID } from 'node:crypto';
import type { AdminCommandCall, AdminRequest, AdminResponse, AdminResult, Clock, KoiHooks, Logger } from '../../plugin-api';
import { TAP_FAILURES } from '../../plugin-api/tap-isolation';
import type { TapFailure } from '../../plugin-api/tap-isolation';
import type { ActionOutcome, AdminBackend } from './backend';
import { NonceBook } from './challenge';
import { BUILTIN_COMMANDS, COMMAND_SPECS, checkUsage, isBuiltinCommand, isMutatingCommand, usageLine } from './commands';
import type { BuiltinCommand, CommandSpec, DeclaredCommand } from './commands';
import { formatDocument } from './format';
import { checkAccess, parseAllowList } from './policy';
import type { AdminChannel, AdminPolicy } from './policy';
import { ResponseCache } from './response-cache';
import { parseEventArgs, type EventArgs } from '../events/args';
import { EVENTS_ANSWER_BYTES, EVENTS_PAGE_CANDIDATES, fitEvents } from './events-page';
import { ADMIN_SCHEMA_VERSION, parseAdminDocument } from './schema';
import type { AdminDocument, CommandInfo, ErrorDocument, NodeRef } from './schema';
import { errorMessage } from '../../plugin-api/errors';

/** A request is forwarded at most this many times (client → node → leader → node). */
export const MAX_ADMIN_HOPS = 2;

export interface AdminServerOptions {
  backend: AdminBackend;
  hooks: Pick<KoiHooks, 'onAdminCommand'>;
  logger: Logger;
  /** Ages the duplicate cache; without it the cache is bounded by count only. */
  clock?: Clock;
  /** How long answers are kept for retransmitted requests (default 10 s). */
  duplicateTtlMs?: number;
  maxHops?: number;
  /**
   * How to forward a request to another node; default `backend.sendRequest`.
   * With `challenge`, the forwarder first fetches a nonce from that node and
   * sends the request addressed to it (target + nonce), sealed by this node.
   */
  forward?: (address: string, request: AdminRequest, options: { challenge: boolean }) => Promise<AdminResponse>;
  /** Network admin mode and allow-list, read per request (live reload); default full, any source. */
  policy?: () => AdminPolicy;
  /** How long an issued nonce is good (default 10 s). */
  nonceTtlMs?: number;
  /**
   * Called after every command that changes something (read-only ones such as status polls are not worth a
   * record) with its exit code; `forwarded`: this node passed it on and relayed the answer.
   */
  onAnswered?: (call: AdminCommandCall, exitCode: number, forwarded: boolean) => void;
  /** Commands the loaded plugins declare (routing, read-only access, help), read per request. */
  commands?: () => readonly DeclaredCommand[];
}

/** Where a request came from, beyond its transport address. */
export interface RequestContext {
  /** `network` (default): UDP; `local`: the unix socket. A network request from a cluster node becomes `peer`. */
  channel?: Exclude<AdminChannel, 'peer'>;
  /** The envelope's sender id (network requests). */
  senderId?: string;
}

export interface AdminServer {
  /** Answer one request received from `from` (a transport address). Never rejects. */
  handle(request: AdminRequest, from: string, context?: RequestContext): Promise<AdminResponse>;
  /** Requests handled so far by command (challenges not counted; commands neither built-in nor declared by a plugin count as `other`, so a stranger cannot grow the map). */
  requestCounts(): Record<string, number>;
}

const OPEN_POLICY: AdminPolicy = { networkAdmin: 'full', allow: parseAllowList('') };

/** What a command handler produces before it becomes a response. */
interface Answer {
  exitCode: number;
  doc: AdminDocument;
  /** Set when the text is not a rendering of `doc` (plugin answers, forwarded answers). */
  text?: string;
}

type Reply = Answer | AdminResponse;

export function createAdminServer(options: AdminServerOptions): AdminServer {
  const { backend, hooks } = options;
  const log = options.logger.child({ component: 'admin' });
  const maxHops = options.maxHops ?? MAX_ADMIN_HOPS;
  const cache = new ResponseCache({ clock: options.clock, ttlMs: options.duplicateTtlMs });
  const nonces = new NonceBook({ clock: options.clock ?? { now: () => Date.now() }, ttlMs: options.nonceTtlMs });
  const policy = options.policy ?? (() => OPEN_POLICY);
  const send = options.forward
    ?? (backend.sendRequest ? backend.sendRequest.bind(backend) : null);
  const counts: Record<string, number> = {};
  const declared = options.commands ?? (() => []);
  const declaration = (command: string): DeclaredCommand | undefined => declared().find((d) => d.name === command);
  const mutating = (command: string): boolean => isMutatingCommand(command, declared());

  const error = (command: string, exitCode: number, message: string, extra: Partial<ErrorDocument> = {}): Answer => ({
    exitCode,
    doc: { schema: ADMIN_SCHEMA_VERSION, type: 'error', command, exitCode, error: message, ...extra },
  });

  const usageError = (command: string, spec: CommandSpec, problem: string): Answer =>
    error(command, 2, problem, { usage: usageLine(spec) });

  const unknownNode = (command: string, name: string): Answer => {
    const known = backend.knownNodeNames().slice().sort();
    return error(command, 1, `unknown node '${name}'`, { knownNodes: known });
  };

  const self = (): NodeRef => {
    const local = backend.localStatus();
    return { id: local.id, name: local.name };
  };

  const result = (command: string, outcome: ActionOutcome, fallbackMessage: string, details: string[] = []): Answer => {
    if (!outcome.ok) return error(command, 1, outcome.reason);
    return {
      exitCode: 0,
      doc: {
        schema: ADMIN_SCHEMA_VERSION, type: 'result', command, node: self(),
        message: outcome.message ?? fallbackMessage, details,
      },
    };
  };

  async function forward(request: AdminRequest, address: string, target: string): Promise<Reply> {
    if (request.hops >= maxHops) {
      log.warn({ command: request.command, hops: request.hops, target, address }, `refusing to forward '${request.command}' to ${target} at ${address}: already forwarded ${request.hops} times`);
      return error(request.command, 1, `request forwarded too many times (${request.hops} hops) on its way to ${target}; the nodes do not agree on the cluster yet, try again in a few seconds`);
    }
    // Re-addressed by the forwarder (a fresh challenge from the next node) and sealed by this node.
    const { target: _target, nonce: _nonce, ...rest } = request;
    void _target; void _nonce;
    const forwarded: AdminRequest = { ...rest, hops: request.hops + 1 };
    log.debug({ command: request.command, requestId: request.requestId, target, address, hops: forwarded.hops }, `forwarding '${request.command}' to ${target} at ${address}`);
    if (send === null) return error(request.command, 1, `this node cannot forward requests; ask ${target} directly at ${address}`);
    try {
      const answer = await send(address, forwarded, { challenge: mutating(request.command) });
      return { ...answer, requestId: request.requestId };
    } catch (err) {
      const why = errorMessage(err);
      log.warn({ command: request.command, target, address, err: why }, `forwarding '${request.command}' to ${target} at ${address} failed: ${why}`);
      return error(request.command, 1, `${target} at ${address} did not answer: ${why}`);
    }
  }

  /** Run on the leader, forwarding when this node is not it. */
  async function atLeader(request: AdminRequest, run: () => Promise<Answer> | Answer): Promise<Reply> {
    if (backend.isLeader()) return run();
    const address = backend.leaderAddress();
    if (address === null) return error(request.command, 1, 'no leader elected yet (try `koi local` for this node\'s own view)');
    return forward(request, address, 'the leader');
  }

  /** Run on the node named by args[0] (this node when absent), forwarding when it is another. */
  async function atNode(request: AdminRequest, run: () => Promise<Answer> | Answer): Promise<Reply> {
    const name = request.args[0];
    if (name === undefined) return run();
    const node = backend.resolveNode(name);
    if (node === null) return unknownNode(request.command, name);
    if (node.id === self().id) return run();
    const address = backend.nodeAddress(node.id);
    if (address === null) return error(request.command, 1, `no known address for node '${node.name}'`);
    // Name the node by id from here on: names may repeat, ids do not.
    return forward({ ...request, args: [node.id, ...request.args.slice(1)] }, address, `node ${node.name}`);
  }

  function clusterStatusAnswer(command: string): Answer {
    const status = backend.clusterStatus();
    if (status === null) return error(command, 1, 'this node is no longer the leader; try again');
    return { exitCode: 0, doc: { schema: ADMIN_SCHEMA_VERSION, type: 'cluster', ...status } };
  }

  const localAnswer = (): Answer => ({ exitCode: 0, doc: { schema: ADMIN_SCHEMA_VERSION, type: 'local', ...backend.localStatus() } });

  function requireRunner(command: string): Answer | null {
    const local = backend.localStatus();
    return local.roles.runner ? null : error(command, 1, `node ${local.name} is not a runner`);
  }

  /**
   * `koi recover --all`, on the leader: `recover` on every runner it hears that has a failure (Failed,
   * a fail count, or a failure on record), one by one; one detail line per runner.
   */
  async function recoverAll(request: AdminRequest): Promise<Answer> {
    const status = backend.clusterStatus();
    if (status === null) return error(request.command, 1, 'this node is no longer the leader; try again');
    const failed = status.nodes.filter((n) => n.roles.runner && n.state !== 'Offline' && n.state !== 'Disconnected'
      && (n.state === 'Failed' || n.failCount > 0 || n.lastFailure !== null));
    const details: string[] = [];
    let cleared = 0;
    for (const n of failed) {
      let reply: Reply;
      if (n.id === self().id) reply = result(request.command, await backend.recover(), `failures cleared on ${n.name}`);
      else {
        const address = backend.nodeAddress(n.id);
        reply = address === null ? error(request.command, 1, `no known address for node '${n.name}'`) : await forward({ ...request, args: [n.id] }, address, `node ${n.name}`);
      }
      const doc = 'kind' in reply ? parseAdminDocument(reply.json) : reply.doc;
      const said = doc?.type === 'result' ? doc.message : doc?.type === 'error' ? `not cleared: ${doc.error}` : ('kind' in reply ? reply.text : '');
      if (reply.exitCode === 0) cleared++;
      details.push(`${n.name}: ${said}`);
    }
    const message = failed.length === 0 ? 'no runner has a failure to clear' : `failures cleared on ${cleared} of ${failed.length} runner${failed.length === 1 ? '' : 's'}`;
    const answer = result(request.command, { ok: true, message }, message, details);
    return cleared === failed.length ? answer : { ...answer, exitCode: 1 };
  }

  async function runBuiltin(command: BuiltinCommand, request: AdminRequest): Promise<Reply> {
    const args = request.args;
    switch (command) {
      case 'local':
        return localAnswer();
      case 'status':
        return args.length === 0 ? atLeader(request, () => clusterStatusAnswer(command)) : atNode(request, localAnswer);
      case 'tree':
        return atLeader(request, () => clusterStatusAnswer(command));
      case 'failures':
        return atLeader(request, () => ({
          exitCode: 0,
          doc: { schema: ADMIN_SCHEMA_VERSION, type: 'failures', failures: backend.failures() },
        }));
      case 'maintenance':
        return atLeader(request, async () => {
          const on = args[0] === 'on';
          return result(command, await backend.setMaintenance(on), `maintenance mode ${on ? 'on' : 'off'}`);
        });
      case 'promote':
        return atLeader(request, async () => {
          const node = backend.resolveNode(args[0]);
          if (node === null) return unknownNode(command, args[0]);
          const entry = backend.clusterStatus()?.nodes.find((n) => n.id === node.id);
          if (entry && !entry.roles.runner) return error(command, 1, `node ${node.name} is not a runner and cannot be master`);
          return result(command, await backend.promote(node.id), `${node.name} is the target master; it is promoted as soon as it is electable`);
        });
      case 'demote':
        return atLeader(request, async () => result(command, await backend.demote(), 'master demoted; manual master mode: nobody is elected until `koi promote` or `koi elect`'));
      case 'elect':
        return atLeader(request, async () => result(command, await backend.elect(), 'manual master mode off; the leader elects a master normally'));
      case 'start':
        return atNode(request, async () => requireRunner(command) ?? result(command, await backend.startRunner(), `starting services on ${self().name}`));
      case 'stop':
        return atNode(request, async () => requireRunner(command) ?? result(command, await backend.stopRunner(), `stopping services on ${self().name}`));
      case 'recover':
        if (args[0] === '--all') return atLeader(request, () => recoverAll(request));
        return atNode(request, async () => requireRunner(command) ?? result(command, await backend.recover(), `failures cleared on ${self().name}`));
      case 'events':
        return eventsAnswer(request);
      case 'commands':
        return { exitCode: 0, doc: { schema: ADMIN_SCHEMA_VERSION, type: 'commands', commands: commandInfos() } };
      case 'reconfigure':
        return atNode(request, async () => {
          const outcome = await backend.reconfigure();
          const problems = outcome.problems ?? [];
          if (!outcome.ok) {
            return error(command, 1, `configuration not reloaded on ${self().name}; it keeps running with the old one:\n  ${problems.join('\n  ')}`);
          }
          const message = outcome.restart
            ? `configuration reloaded on ${self().name}; the change needs a restart, which has begun`
            : `configuration reloaded on ${self().name}`;
          return result(command, { ok: true, message }, message, problems);
        });
      default: {
        const unknown: never = command;
        return error(String(unknown), 2, `unknown command '${String(unknown)}'`);
      }
    }
  }

  /** `events [NODE] [since=] [after=] [tail=] [limit=]`: this node's (or NODE's) events, one page that fits a datagram. */
  async function eventsAnswer(request: AdminRequest): Promise<Reply> {
    const spec = COMMAND_SPECS.events;
    let query: EventArgs;
    try {
      query = parseEventArgs(request.args, options.clock?.wallNow() ?? Date.now());
    } catch (err) {
      return usageError(request.command, spec, (err as Error).message);
    }
    const run = async (): Promise<Answer> => {
      if (!backend.events) return error(request.command, 1, `node ${self().name} keeps no events`);
      const found = await backend.events({ since: query.since, after: query.after, tail: query.tail });
      // A page holds a few dozen events at most: fit from a bounded head, not from a whole journal.
      const limit = Math.min(query.limit ?? Infinity, found.length, EVENTS_PAGE_CANDIDATES);
      const page = fitEvents(found.slice(0, limit), EVENTS_ANSWER_BYTES);
      const last = page.length > 0 ? page[page.length - 1].seq : query.after ?? 0;
      const doc: AdminDocument = {
        schema: ADMIN_SCHEMA_VERSION, type: 'events', node: self(), events: page, lastSeq: last, more: page.length < found.length,
        ...(backend.newestEventSeq ? { newestSeq: backend.newestEventSeq() } : {}),
      };
      return { exitCode: 0, doc, text: `${page.length} event${page.length === 1 ? '' : 's'} from ${self().name}${doc.more ? ' (more: ask again with after=' + last + ')' : ''}` };
    };
    return query.node === undefined ? run() : atNode(request, run);
  }

  function commandInfos(): CommandInfo[] {
    return [
      ...BUILTIN_COMMANDS.map((c) => {
        const spec = COMMAND_SPECS[c];
        return { name: c, usage: spec.synopsis, summary: spec.description, readOnly: !spec.mutating, runs: spec.route };
      }),
      ...declared().map((d) => ({ name: d.name, usage: d.usage, summary: d.summary, readOnly: d.readOnly, runs: d.runs, plugin: d.plugin })),
    ];
  }

  /** A plugin command, routed as its plugin declared (here, the leader, every node); undeclared ones run here. */
  function routePluginCommand(request: AdminRequest, from: string): Promise<Reply> {
    const declared = declaration(request.command);
    if (declared?.runs === 'leader') return atLeader(request, () => runPluginCommand(request, from));
    if (declared?.runs === 'every' && request.hops === 0) return atEveryNode(request, from);
    return runPluginCommand(request, from);
  }

  /** Run on every node this one knows (itself included), one section per node; the worst exit code wins. */
  async function atEveryNode(request: AdminRequest, from: string): Promise<Answer> {
    const me = self();
    const others = backend.knownNodeNames().map((name) => backend.resolveNode(name)).filter((n): n is NodeRef => n !== null && n.id !== me.id);
    const replies = await Promise.all([
      runPluginCommand(request, from).then((reply) => ({ node: me.name, reply })),
      ...others.map(async (node) => {
        const address = backend.nodeAddress(node.id);
        // One request id per node: the forwarder tells apart what it is waiting for by request id.
        const reply = address === null ? error(request.command, 1, `no known address for node '${node.name}'`)
          : await forward({ ...request, requestId: randomUUID() }, address, `node ${node.name}`);
        return { node: node.name, reply };
      }),
    ]);
    const sections = replies.sort((a, b) => a.node.localeCompare(b.node)).map(({ node, reply }) => {
      const doc = 'kind' in reply ? parseAdminDocument(reply.json) : reply.doc;
      const text = 'kind' in reply ? reply.text : (reply.text ?? formatDocument(reply.doc, request.command));
      return { node, exitCode: reply.exitCode, text, data: doc?.type === 'plugin' ? doc.data : doc };
    });
    const exitCode = Math.max(...sections.map((s) => s.exitCode));
    const text = sections.map((s) => `${s.node}:${s.text.includes('\n') ? '\n' : ' '}${s.text.replace(/\n/g, '\n  ')}`).join('\n');
    return {
      exitCode,
      text,
      doc: {
        schema: ADMIN_SCHEMA_VERSION, type: 'plugin', command: request.command, exitCode, text,
        data: { nodes: sections.map((s) => ({ node: s.node, exitCode: s.exitCode, text: s.text, data: s.data ?? null })) },
      },
    };
  }

  async function runPluginCommand(request: AdminRequest, from: string): Promise<Answer> {
    const failures: TapFailure[] = [];
    const call = { command: request.command, args: request.args.slice(), from, [TAP_FAILURES]: failures } as AdminCommandCall;
    const answer: AdminResult | undefined = await hooks.onAdminCommand.promise(call);
    if (answer === undefined || answer === null) {
      if (failures.length > 0) {
        // A plugin's tap threw (or hung) on this command: say so, naming it; it was not an unknown command.
        const said = failures.map((f) => `plugin ${f.plugin} ${f.timedOut ? f.message : `failed: ${f.message}`}`).join('; ');
        return error(request.command, 1, `'${request.command}' was not answered: ${said}`);
      }
      const owner = declaration(request.command);
      if (owner) return error(request.command, 1, `plugin ${owner.plugin} declares '${request.command}' but did not answer it`);
      const known = [...BUILTIN_COMMANDS, ...declared().map((d) => d.name)];
      return error(request.command, 2, `unknown command '${request.command}'; commands: ${known.join(', ')}`);
    }
    const exitCode = Number.isInteger(answer.exitCode) ? answer.exitCode : 1;
    const text = typeof answer.text === 'string' ? answer.text : '';
    return {
      exitCode,
      text,
      doc: {
        schema: ADMIN_SCHEMA_VERSION, type: 'plugin', command: request.command, exitCode, text,
        data: answer.json === undefined ? null : answer.json,
      },
    };
  }

  async function dispatch(request: AdminRequest, from: string): Promise<Reply> {
    const { command, args } = request;
    if (!isBuiltinCommand(command)) return routePluginCommand(request, from);
    const spec = COMMAND_SPECS[command];
    const problem = checkUsage(spec, args);
    if (problem !== null) return usageError(command, spec, problem);
    return runBuiltin(command, request);
  }

  function toResponse(request: AdminRequest, reply: Reply): AdminResponse {
    if ('kind' in reply) return reply;
    return {
      kind: 'response',
      requestId: request.requestId,
      exitCode: reply.exitCode,
      text: reply.text ?? formatDocument(reply.doc, request.command),
      json: JSON.stringify(reply.doc),
    };
  }

  async function answer(request: AdminRequest, from: string): Promise<AdminResponse> {
    try {
      const reply = await dispatch(request, from);
      const response = toResponse(request, reply);
      if (mutating(request.command)) options.onAnswered?.({ command: request.command, args: request.args.slice(), from }, response.exitCode, 'kind' in reply);
      // A monitoring poll of `koi status` must not flood the log: read-only requests at debug; what changes the
      // cluster at info, with who asked (the client's address, or the local socket) and how it ended.
      const level = mutating(request.command) ? 'info' : 'debug';
      log[level]({ hops: request.hops }, `admin '${[request.command, ...request.args].join(' ')}' from ${from}: exit ${response.exitCode}`);
      return response;
    } catch (err) {
      const why = errorMessage(err);
      log.error({ command: request.command, from, err: why }, `admin '${request.command}' from ${from} failed: ${why}`);
      return toResponse(request, error(request.command, 1, `internal error while handling '${request.command}': ${why}`));
    }
  }

  const refuse = (request: AdminRequest, message: string): Promise<AdminResponse> =>
    Promise.resolve(toResponse(request, error(request.command, 1, message)));

  function challengeAnswer(request: AdminRequest): AdminResponse {
    return { kind: 'response', requestId: request.requestId, exitCode: 0, text: '', json: '', nonce: nonces.issue(), nodeId: self().id };
  }

  return {
    handle(request: AdminRequest, from: string, context: RequestContext = {}): Promise<AdminResponse> {
      if (request.challenge !== true) {
        const key = isBuiltinCommand(request.command) || declaration(request.command) ? request.command : 'other';
        counts[key] = (counts[key] ?? 0) + 1;
      }
      try {
        return admit(request, from, context);
      } catch (err) {
        const why = errorMessage(err);
        log.error({ command: request.command, from, err: why }, `admin '${request.command}' from ${from} failed: ${why}`);
        return refuse(request, `internal error while handling '${request.command}': ${why}`);
      }
    },
    requestCounts: () => ({ ...counts }),
  };

  /** Target, access and freshness checks, then the answer (or the first answer again). */
  function admit(request: AdminRequest, from: string, context: RequestContext): Promise<AdminResponse> {
      let channel: AdminChannel = context.channel ?? 'network';
      if (channel === 'network' && request.hops > 0 && context.senderId !== undefined && backend.isPeer?.(context.senderId, from)) channel = 'peer';
      const changes = mutating(request.command);
      const me = self();
      // Addressed to another node (or to this node's previous process): a copy sent where it was not meant to go.
      if (request.target !== undefined && request.target !== me.id) {
        log.warn({ command: request.command, target: request.target, from }, `refused admin '${request.command}' from ${from}: addressed to node ${request.target}, not this node (${me.id})`);
        return refuse(request, `request addressed to node ${request.target}, but this is ${me.name} (${me.id}); a copy sent to the wrong node, or the node restarted since`);
      }
      const access = checkAccess(policy(), channel, from, request.challenge !== true && changes, request.command);
      if (!access.ok) {
        log.warn({ command: request.command, from, channel }, `refused admin '${request.command}' from ${from}: ${access.reason}`);
        return refuse(request, access.reason);
      }
      if (request.challenge === true) return Promise.resolve(challengeAnswer(request));
      if (changes && channel !== 'local') {
        if (request.nonce === undefined || request.target === undefined) {
          log.warn({ command: request.command, from }, `refused admin '${request.command}' from ${from}: no challenge nonce`);
          return refuse(request, `'${request.command}' changes the cluster and must answer a challenge of this node (target and nonce); this client is too old`);
        }
        const redeemed = nonces.redeem(request.nonce);
        if (redeemed.kind === 'used') {
          log.debug({ requestId: request.requestId, command: request.command, from }, `repeated request with nonce ${request.nonce} from ${from}: answering the first answer again`);
          return redeemed.answer;
        }
        if (redeemed.kind === 'unknown') {
          log.warn({ command: request.command, from }, `refused admin '${request.command}' from ${from}: nonce unknown or expired (replayed or late)`);
          return refuse(request, `'${request.command}' refused: its challenge nonce is unknown here or expired (a replayed or late request); run the command again`);
        }
        const pending = answer(request, from);
        redeemed.settle(pending);
        return pending;
      }
      // Read-only (or local) requests: a repeat changes nothing; the cache only saves the work.
      const key = `${channel}/${request.requestId}/${request.hops}`;
      const cached = cache.get(key);
      if (cached) {
        log.debug({ requestId: request.requestId, command: request.command, from }, `duplicate request ${request.requestId} from ${from}: answering from cache`);
        return cached;
      }
      const pending = answer(request, from);
      cache.set(key, pending);
      return pending;
  }
}
