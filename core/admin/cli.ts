/**
 * The `koi` client program (SPEC §9): options, configuration, one request,
 * output and exit code. bin/koi.ts gives it the real process, clock and UDP
 * socket; tests give it their own.
 */
import { randomUUID } from 'node:crypto';
import { isIP } from 'node:net';
import { Command, CommanderError, Option } from 'commander';
import { ErrorCode, ExitCode, KoiError, createNodeCipher, errorMessage } from '../../plugin-api';
import type { AdminRequest, AdminResponse, Clock, KoiConfig, Logger } from '../../plugin-api';
import { ConfigError } from '../config/errors';
import { loadConfig } from '../config/loader';
import { createWireCodec } from '../wire/codec';
import { DEFAULT_KDF_ITERATIONS } from '../wire/key';
import { keyringFromCluster } from '../wire/keyring';
import { runKeygen } from './keygen';
import { describeNoAnswer, openAdminSession } from './client';
import type { AdminCallOutcome, ClientSocket } from './client';
import { BUILTIN_COMMANDS, COMMAND_SPECS, checkUsage, isBuiltinCommand, isMutatingCommand, usageLine, type BuiltinCommand } from './commands';
import { callLocalAdmin } from './local-client';
import { DEFAULT_ADMIN_SOCKET } from './local-socket';
import { formatCommandList, formatDocument } from './format';
import { runEvents, runWatch, type Ask, type LiveDeps } from './live';
import { parseDuration } from '../config/durations';
import { ADMIN_SCHEMA_VERSION, parseAdminDocument } from './schema';
import type { CommandInfo, ErrorDocument } from './schema';

export const DEFAULT_CLIENT_TIMEOUT_MS = 3000;
export const DEFAULT_PORT = 42012;
/** The largest UDP payload: the client accepts whatever the node's transport could send. */
const CLIENT_MAX_DATAGRAM = 65_507;

export interface OutputStream {
  write(text: string): void;
  isTTY?: boolean;
}

export interface KoiCliDeps {
  /** Arguments after the program name. */
  argv: string[];
  stdout: OutputStream;
  stderr: OutputStream;
  env: Record<string, string | undefined>;
  cwd: string;
  clock: Clock;
  version: string;
  /** Open a datagram socket towards `host:port` (resolving a host name if needed). */
  openSocket(host: string, port: number): Promise<ClientSocket>;
  /** Where the system-wide koi.conf is looked for (tests point it elsewhere). */
  systemConfigPath?: string;
  /** Ask a node over its local admin socket (default: core/admin/local-client.ts). */
  callLocal?: typeof callLocalAdmin;
  /** Subscribe to Ctrl-C (SIGINT) for `koi events` and `koi status --watch`; returns the unsubscribe. */
  onInterrupt?: (handler: () => void) => () => void;
}

interface ParsedOptions {
  host?: string;
  port?: number;
  socket?: string;
  file?: string[];
  color?: boolean;
  debug?: boolean;
  json?: boolean;
  all?: boolean;
  since?: string;
  follow?: boolean;
  watch?: boolean;
  interval?: number;
  timeout: number;
}

class UsageError extends KoiError {
  constructor(message: string) {
    super(ErrorCode.USAGE, message);
  }
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port < 1 || port > 65535) throw new UsageError(`-p/--port: '${value}' is not a port number (1..65535)`);
  return port;
}

function parseTimeout(value: string): number {
  const ms = Number(value);
  if (!/^\d+$/.test(value) || ms < 1) throw new UsageError(`--timeout: '${value}' is not a number of milliseconds (> 0)`);
  return ms;
}

function parseInterval(value: string): number {
  try {
    const ms = parseDuration(value);
    if (ms >= 100) return ms;
  } catch {
    // reported below
  }
  throw new UsageError(`--interval: '${value}' is not a duration of at least 100ms (e.g. 1s, 500ms)`);
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** Commands the client runs in a loop: their help line shows the client's options, not the wire arguments. */
const CLIENT_LINES: Partial<Record<BuiltinCommand, Array<[string, string]>>> = {
  status: [
    ['status [NODE]', COMMAND_SPECS.status.description],
    ['status --watch [--interval 1s]', 'the status redrawn until Ctrl-C (like crm_mon)'],
  ],
  events: [
    ['events [NODE]', 'follow a node\'s events (elections, master, states, services, failures, ...) until Ctrl-C'],
    ['events --since WHEN [--follow]', 'the events since WHEN (10m, 2h, a time) of every reachable node, merged in time order'],
  ],
};

/**
 * The commands part of the help. `plugin`: the commands the node's plugins declare, as learned from
 * the node (`koi commands`); null when no node answered.
 */
function commandsHelp(plugin: CommandInfo[] | null = null): string {
  const entries = BUILTIN_COMMANDS.flatMap((c): Array<[string, string]> => CLIENT_LINES[c] ?? [[usageLine(COMMAND_SPECS[c]).slice(4), COMMAND_SPECS[c].description]]);
  const width = Math.max(...entries.map(([synopsis]) => synopsis.length));
  const lines = entries.map(([synopsis, description]) => `  ${synopsis.padEnd(width)}  ${description}`);
  const fromPlugins = plugin === null ? ['  (plugins may add more: no node answered to list them)']
    : plugin.length === 0 ? ['  (the node\'s plugins add no commands)']
      : ['', 'Commands of the node\'s plugins:', formatCommandList(plugin)];
  return [
    '', 'Commands:', ...lines, `  ${'check'.padEnd(width)}  validate the configuration here (-f FILE...) like koinode --check; exit 0 or 78`,
    `  ${'keygen FILE'.padEnd(width)}  write a new random cluster key file (mode 0600)`, ...fromPlugins, '',
    'Exit status: 0 success, 1 refused by the cluster, 2 usage error, 3 no answer within the timeout.',
    'On a node, koi talks to koinode over its local admin socket; -H or -p force the network (UDP, needs the cluster password).',
  ].join('\n');
}

/** Client options that take a value (kept when asking the node for its commands). */
const VALUE_OPTIONS = new Set(['-H', '--host', '-p', '--port', '-S', '--socket', '-f', '--file', '--timeout']);
const HELP_TIMEOUT_MS = 1500;

/** For `koi --help`: ask the node (as the other options say) which commands its plugins add; null when it does not answer. */
async function learnPluginCommands(deps: KoiCliDeps): Promise<CommandInfo[] | null> {
  const argv: string[] = [];
  for (let i = 0; i < deps.argv.length; i++) {
    const arg = deps.argv[i];
    const name = arg.split('=')[0];
    if (VALUE_OPTIONS.has(name) && name !== '--timeout') {
      argv.push(arg);
      if (!arg.includes('=') && i + 1 < deps.argv.length) argv.push(deps.argv[++i]);
    } else if (name === '--timeout' && !arg.includes('=')) i++;
  }
  let out = '';
  const code = await runKoiCli({
    ...deps, argv: [...argv, '--json', '--timeout', String(HELP_TIMEOUT_MS), 'commands'],
    stdout: { write: (text) => { out += text; } }, stderr: { write: () => undefined },
  }).catch(() => ExitCode.FAILURE);
  if (code !== ExitCode.OK) return null;
  const doc = parseAdminDocument(out.trim());
  return doc?.type === 'commands' ? doc.commands.filter((c) => c.plugin !== undefined) : null;
}

function buildProgram(deps: KoiCliDeps, pluginCommands: CommandInfo[] | null = null): Command {
  const program = new Command('koi');
  program
    .description('koi client: ask a koinode about the cluster, or tell it what to do')
    .usage('[options] COMMAND [ARGS]')
    .argument('[command]', 'command to run (see below)')
    .argument('[args...]', 'arguments of the command')
    .option('-H, --host <host>', 'node to talk to (IPv4, IPv6 or host name; default 127.0.0.1, ::1 when the config lists only IPv6)')
    .addOption(new Option('-p, --port <port>', `node port (default: node.port from the config file, else ${DEFAULT_PORT})`).argParser(parsePort))
    .option('-S, --socket <path>', `local admin socket to use (default: node.admin_socket from the config, else ${DEFAULT_ADMIN_SOCKET}; used when it can be opened unless -H or -p is given)`)
    .option('-f, --file <file>', 'config file to read the password, cluster id and port from (repeatable; default ./koi.conf, then /etc/koi/koi.conf)', collect)
    .option('-c, --color', 'colour the output (default on a terminal)')
    .option('-d, --debug', 'explain what the client does, on stderr')
    .option('--json', 'print the machine-readable answer (schema in docs/client.md)')
    .option('--all', 'with recover: clear the failures of every runner that has one')
    .option('--since <when>', 'with events: replay the events since then (10m, 2h, 1d, or a time) from every reachable node, merged in time order')
    .option('--follow', 'with events --since: keep following every node after the replay')
    .option('--watch', 'with status: redraw the status every --interval until Ctrl-C (like crm_mon)')
    .addOption(new Option('--interval <duration>', 'with status --watch: time between redraws (default 1s)').argParser(parseInterval))
    .addOption(new Option('--timeout <ms>', 'give up after this many milliseconds').argParser(parseTimeout).default(DEFAULT_CLIENT_TIMEOUT_MS))
    .version(deps.version, '-v, --version', 'print the version')
    .helpOption('-h, --help', 'print this help')
    .addHelpText('after', commandsHelp(pluginCommands))
    .allowExcessArguments(true)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => deps.stdout.write(s),
      writeErr: (s) => deps.stderr.write(s),
      outputError: (s, write) => write(s.startsWith('error:') ? `koi: ${s}` : s),
    });
  return program;
}

/** A logger for `-d`: one line per record on stderr. */
function debugLogger(stderr: OutputStream, enabled: boolean, started: () => number): Logger {
  const make = (): Logger => {
    const write = (obj: object | string, msg?: string): void => {
      if (!enabled) return;
      const text = typeof obj === 'string' ? obj : (msg ?? '');
      stderr.write(`koi: [${started().toFixed(0)} ms] ${text}\n`);
    };
    return { trace: write, debug: write, info: write, warn: write, error: write, fatal: write, child: () => make() };
  };
  return make();
}

/** Default host: the local node, over IPv6 when the configuration speaks only IPv6. */
function defaultHost(config: KoiConfig): string {
  const t = config.cluster.transport;
  if (t.length > 0 && t.every((a) => a.kind === 'ipv6' || a.kind === 'multicast6')) return '::1';
  return '127.0.0.1';
}

/** The configuration keys the client uses: the cluster's identity and secret, where the node listens, the crypto plugin's KDF. */
function clientNeeds(key: string): boolean {
  return key.startsWith('cluster.') || key === 'cluster' || key === 'node.port' || key === 'node.admin_socket' || key.endsWith('.kdf_iterations');
}

/** PBKDF2 iterations as the cluster's crypto plugin is configured (must match the nodes). */
function kdfIterations(config: KoiConfig): number {
  for (const entry of config.plugins) {
    const value = entry.options.kdf_iterations;
    if (typeof value === 'number' && Number.isInteger(value)) return value;
    if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value);
  }
  return DEFAULT_KDF_ITERATIONS;
}

/** Run the client; resolves with the process exit code. */
export async function runKoiCli(deps: KoiCliDeps): Promise<number> {
  // Local, no configuration, no node: handled before the client's option parsing.
  if (deps.argv[0] === 'keygen') return runKeygen(deps.argv.slice(1), deps);
  const t0 = deps.clock.now();
  const wantsHelp = deps.argv.some((a) => a === '-h' || a === '--help');
  const program = buildProgram(deps, wantsHelp ? await learnPluginCommands(deps) : null);
  try {
    program.parse(deps.argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return ExitCode.OK;
      return ExitCode.USAGE; // commander already printed the message
    }
    if (err instanceof UsageError) {
      deps.stderr.write(`koi: ${err.message}\n`);
      return ExitCode.USAGE;
    }
    throw err;
  }
  const opts = program.opts<ParsedOptions>();
  const [command, parsedArgs = []] = program.processedArgs as [string | undefined, string[] | undefined];
  // `koi recover --all` travels as the argument `--all` (no node is named that: names cannot start with '-').
  const args = opts.all ? [...parsedArgs, '--all'] : parsedArgs;
  const log = debugLogger(deps.stderr, opts.debug === true, () => deps.clock.now() - t0);
  const wantJson = opts.json === true;
  const color = opts.color === true || (deps.stdout.isTTY === true && !deps.env.NO_COLOR);

  const fail = (exitCode: number, message: string, extra: Partial<ErrorDocument> = {}): number => {
    deps.stderr.write(`koi: ${message}\n`);
    if (wantJson) {
      const doc: ErrorDocument = { schema: ADMIN_SCHEMA_VERSION, type: 'error', command: command ?? '', exitCode, error: message, ...extra };
      deps.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
    }
    return exitCode;
  };

  if (command === 'check') {
    // Local, like koinode --check: the files this client would use (or -f), every key, every plugin's options.
    // Loaded here, not at the top: it brings the logging stack and the plugin loader (≈ 30 ms of the ≈ 150 ms
    // of module loading every other command pays before it sends anything; docs/performance.md "Footprint").
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { checkConfiguration, formatCheckReport } = require('../daemon/check') as typeof import('../daemon/check');
    const report = await checkConfiguration({ files: opts.file, cwd: deps.cwd, systemConfigPath: deps.systemConfigPath, searchCwd: true });
    if (wantJson) deps.stdout.write(`${JSON.stringify({ schema: ADMIN_SCHEMA_VERSION, type: 'check', ...report }, null, 2)}\n`);
    else (report.exitCode === 0 ? deps.stdout : deps.stderr).write(formatCheckReport(report, 'koi check'));
    return report.exitCode;
  }
  if (command === undefined) {
    deps.stderr.write(program.helpInformation());
    deps.stderr.write(`${commandsHelp()}\n`);
    return fail(ExitCode.USAGE, 'no command given');
  }
  if (opts.all && command !== 'recover') return fail(ExitCode.USAGE, '--all goes with recover only (koi recover --all)');
  if ((opts.since !== undefined || opts.follow) && command !== 'events') return fail(ExitCode.USAGE, '--since and --follow go with events only (koi events --since 10m)');
  if (opts.follow && opts.since === undefined) return fail(ExitCode.USAGE, '--follow goes with --since (koi events without --since follows already)');
  if ((opts.watch || opts.interval !== undefined) && command !== 'status') return fail(ExitCode.USAGE, '--watch and --interval go with status only (koi status --watch)');
  // `koi events` and `koi status --watch` run until Ctrl-C (events --since: until the replay is printed), asking again and again.
  const live = command === 'events' || (command === 'status' && opts.watch === true);
  if (command === 'events' && args.length > 1) return fail(ExitCode.USAGE, 'usage: koi events [NODE] [--since WHEN [--follow]] [--json]');
  if (isBuiltinCommand(command)) {
    const problem = checkUsage(COMMAND_SPECS[command], args);
    if (problem !== null) return fail(ExitCode.USAGE, `${problem}\nusage: ${usageLine(COMMAND_SPECS[command])}`, { usage: usageLine(COMMAND_SPECS[command]) });
  }

  // -H/-p: the network, always. Else the local socket when it can be opened, then the network.
  const forceNetwork = opts.host !== undefined || opts.port !== undefined;
  const callLocal = deps.callLocal ?? callLocalAdmin;
  let socketProblem = '';
  const tryLocal = async (file: string): Promise<number | null> => {
    const local = await callLocal(file, live ? 'local' : command, live ? [] : args, opts.timeout);
    if (local.ok && live) {
      log.debug(`${command}: over the local socket ${file}`);
      return runLive(async (c, a) => {
        const answer = await callLocal(file, c, a, opts.timeout);
        return answer.ok ? { ok: true, response: { ...answer.answer, kind: 'response', requestId: '' } } : { ok: false, message: `local admin socket ${file}: ${answer.message}` };
      });
    }
    if (local.ok) {
      log.debug(`answer on the local socket ${file}: exit ${local.answer.exitCode}`);
      return render({ ...local.answer, kind: 'response', requestId: '' });
    }
    const denied = local.code === 'EACCES' || local.code === 'EPERM';
    const problem = `local admin socket ${file}: ${denied ? 'permission denied (only its owner and node.admin_group may use it)' : local.message}`;
    log.debug(`${problem}${opts.socket === undefined ? '; trying the network' : ''}`);
    if (opts.socket !== undefined || local.stage === 'protocol') return fail(local.stage === 'protocol' ? ExitCode.NO_ANSWER : ExitCode.FAILURE, problem);
    // Denied is worth telling if the network cannot be used either; absent or stale sockets are not.
    if (denied) socketProblem = problem;
    return null;
  };

  let config: KoiConfig;
  try {
    // The client may read ./koi.conf (password, port); it never loads plugins from any file.
    // Only what the client uses must be right: an error elsewhere (say in `time { }`) is the daemon's to refuse.
    const loaded = await loadConfig({ files: opts.file, cwd: deps.cwd, systemConfigPath: deps.systemConfigPath, searchCwd: true, needed: clientNeeds });
    config = loaded.config;
    log.debug(`configuration from ${config.sources.length ? config.sources.join(', ') : '(none found: defaults)'}`);
    for (const warning of loaded.warnings) {
      // Problems in keys the client ignores: said once on stderr (the node will refuse them), not fatal here.
      if (warning.endsWith('(not used here: ignored)')) deps.stderr.write(`koi: warning: ${warning.replace(/ \(not used here: ignored\)$/, '')} (koinode refuses this; the client does not use it)\n`);
      else log.debug(`config: ${warning}`);
    }
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    // koi.conf readable by root only: the socket may still let this user in.
    if (!forceNetwork) {
      const answered = await tryLocal(opts.socket ?? DEFAULT_ADMIN_SOCKET);
      if (answered !== null) return answered;
    }
    return fail(ExitCode.USAGE, `cannot use the configuration:\n${err.format()}${socketProblem ? `\nand the ${socketProblem}` : ''}`);
  }
  if (!forceNetwork) {
    const file = opts.socket ?? (config.node.admin_socket === 'off' ? null : config.node.admin_socket);
    if (file !== null) {
      const answered = await tryLocal(file);
      if (answered !== null) return answered;
    }
  }
  if (config.cluster.password === '' && config.cluster.key_file === undefined) {
    const where = config.sources.length ? config.sources.join(', ') : 'no config file found (looked in ./koi.conf and /etc/koi/koi.conf)';
    const socketNote = socketProblem ? `; the ${socketProblem}` : '';
    return fail(socketProblem ? ExitCode.FAILURE : ExitCode.USAGE, `no cluster password: ${where} sets neither cluster.password nor cluster.key_file; give the node's koi.conf with -f FILE${socketNote}`);
  }

  const host = (opts.host ?? defaultHost(config)).replace(/^\[(.*)\]$/, '$1');
  const port = opts.port ?? config.node.port ?? DEFAULT_PORT;
  const iterations = kdfIterations(config);
  let codec;
  try {
    const keys = keyringFromCluster(config.cluster, iterations);
    log.debug(`cluster keys ready (cluster ${config.cluster.id}, ${config.cluster.key_file ? `key file ${config.cluster.key_file}` : `PBKDF2 ${iterations} iterations`})`);
    codec = createWireCodec({
      cipher: createNodeCipher(keys), clusterId: config.cluster.id, senderId: randomUUID(),
      clock: deps.clock, maxDatagramSize: CLIENT_MAX_DATAGRAM,
    });
  } catch (err) {
    return fail(ExitCode.USAGE, `cannot set up encryption: ${errorMessage(err)}`);
  }

  const shown = isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
  let socket: ClientSocket;
  try {
    socket = await deps.openSocket(host, port);
  } catch (err) {
    const why = errorMessage(err);
    return fail(ExitCode.NO_ANSWER, `cannot reach ${shown}: ${why}`);
  }
  if (live) {
    const session = openAdminSession({ socket, codec, clock: deps.clock, logger: log });
    try {
      return await runLive(async (c, a) => {
        const outcome = await session.exchange({ kind: 'request', requestId: randomUUID(), command: c, args: a, hops: 0 }, opts.timeout);
        return outcome.ok ? { ok: true, response: outcome.response } : { ok: false, message: describeNoAnswer(outcome, opts.timeout).split('\n')[0].replace(/^koi: /, '') };
      });
    } finally {
      socket.close();
    }
  }
  const request: AdminRequest = { kind: 'request', requestId: randomUUID(), command, args, hops: 0 };
  log.debug(`request ${request.requestId}: ${[command, ...args].join(' ')} → ${socket.target}`);
  let outcome: AdminCallOutcome;
  try {
    const session = openAdminSession({ socket, codec, clock: deps.clock, logger: log });
    const deadline = deps.clock.now() + opts.timeout;
    outcome = await session.exchange(
      isMutatingCommand(command) ? { kind: 'request', requestId: randomUUID(), command, args: [], hops: 0, challenge: true } : request,
      opts.timeout,
    );
    // A mutating command: the first answer is the node's challenge; the request goes to that node, bound to its nonce.
    if (isMutatingCommand(command) && outcome.ok && outcome.response.nonce !== undefined && outcome.response.nodeId !== undefined) {
      log.debug(`challenge from node ${outcome.response.nodeId} after ${outcome.elapsedMs.toFixed(1)} ms`);
      outcome = await session.exchange(
        { ...request, target: outcome.response.nodeId, nonce: outcome.response.nonce },
        Math.max(1, deadline - deps.clock.now()),
      );
    }
  } finally {
    socket.close();
  }
  if (!outcome.ok) {
    return fail(ExitCode.NO_ANSWER, describeNoAnswer(outcome, opts.timeout).replace(/^koi: /, ''));
  }
  log.debug(`answer from ${outcome.from} after ${outcome.elapsedMs.toFixed(1)} ms (${outcome.sends} send${outcome.sends === 1 ? '' : 's'}): exit ${outcome.response.exitCode}`);
  return render(outcome.response);

  function runLive(ask: Ask): Promise<number> {
    const liveDeps: LiveDeps = { ask, stdout: deps.stdout, stderr: deps.stderr, clock: deps.clock, color, json: wantJson, onInterrupt: deps.onInterrupt };
    if (command === 'status') return runWatch(liveDeps, { node: args[0], intervalMs: opts.interval ?? 1000 });
    return runEvents(liveDeps, { node: args[0], since: opts.since, follow: opts.follow === true });
  }

  function render(response: AdminResponse): number {
    const exitCode = [ExitCode.OK, ExitCode.FAILURE, ExitCode.USAGE].includes(response.exitCode as 0 | 1 | 2) ? response.exitCode : ExitCode.FAILURE;

    const doc = parseAdminDocument(response.json);
    if (wantJson) {
      const out = doc ?? (response.json ? safeParse(response.json) : null) ?? {
        schema: ADMIN_SCHEMA_VERSION, type: 'error', command, exitCode, error: response.text,
      };
      deps.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
      return exitCode;
    }
    // Render from the document (colour; the node drops the text when the answer would not fit one datagram).
    const text = doc ? formatDocument(doc, command ?? '', { color }) : response.text;
    const stream = exitCode === ExitCode.OK ? deps.stdout : deps.stderr;
    if (text.length > 0) stream.write(text.endsWith('\n') ? text : `${text}\n`);
    return exitCode;
  }
}

function safeParse(json: string): unknown {
  try {
    return JSON.parse(json);
  } catch {
    return null; // not JSON: the caller prints an error document built from the text instead
  }
}
