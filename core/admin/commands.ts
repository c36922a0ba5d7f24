/**
 * The built-in admin commands (SPEC §9): their arguments, where they run and
 * their help line. Shared by the server (routing, usage errors) and the
 * client (help, early usage errors without a round trip).
 */

export const BUILTIN_COMMANDS = [
  'local', 'status', 'tree', 'reconfigure', 'maintenance', 'promote', 'demote', 'elect',
  'start', 'stop', 'recover', 'failures', 'events', 'commands',
] as const;
export type BuiltinCommand = (typeof BUILTIN_COMMANDS)[number];

/**
 * Where a command runs:
 * - `self`: the node that received it;
 * - `leader`: the leader (forwarded when the receiver is not it);
 * - `node`: the node named by the optional first argument, else the receiver;
 * - `status`: `leader` without an argument, `node` with one.
 */
export type CommandRoute = 'self' | 'leader' | 'node' | 'status';

export interface CommandSpec {
  name: BuiltinCommand;
  /** Argument synopsis for usage lines, e.g. `NAME|UUID`. */
  synopsis: string;
  minArgs: number;
  maxArgs: number;
  /** Allowed values of the first argument, when fixed. */
  values?: readonly string[];
  route: CommandRoute;
  /** Changes the cluster or a node (needs a challenge; refused by read-only network admin). */
  mutating: boolean;
  description: string;
}

export const COMMAND_SPECS: Readonly<Record<BuiltinCommand, CommandSpec>> = {
  local: { name: 'local', synopsis: '', minArgs: 0, maxArgs: 0, mutating: false, route: 'self', description: 'status of the node the client talks to' },
  status: {
    name: 'status', synopsis: '[NODE]', minArgs: 0, maxArgs: 1, mutating: false, route: 'status',
    description: 'cluster status (from the leader); with NODE, that node\'s own status',
  },
  tree: { name: 'tree', synopsis: '', minArgs: 0, maxArgs: 0, mutating: false, route: 'leader', description: 'the cluster as a tree: nodes, states, services' },
  reconfigure: { name: 'reconfigure', synopsis: '[NODE]', minArgs: 0, maxArgs: 1, mutating: true, route: 'node', description: 'reload the configuration of a node' },
  maintenance: {
    name: 'maintenance', synopsis: 'on|off', minArgs: 1, maxArgs: 1, values: ['on', 'off'], mutating: true, route: 'leader',
    description: 'cluster maintenance mode: no scripts run while on',
  },
  promote: { name: 'promote', synopsis: 'NAME|UUID', minArgs: 1, maxArgs: 1, mutating: true, route: 'leader', description: 'make that runner the master' },
  demote: { name: 'demote', synopsis: '', minArgs: 0, maxArgs: 0, mutating: true, route: 'leader', description: 'demote the master; nobody is elected until promote or elect' },
  elect: { name: 'elect', synopsis: '', minArgs: 0, maxArgs: 0, mutating: true, route: 'leader', description: 'leave manual master mode and elect normally' },
  start: { name: 'start', synopsis: '[NODE]', minArgs: 0, maxArgs: 1, mutating: true, route: 'node', description: 'start services on a node (undo stop)' },
  stop: { name: 'stop', synopsis: '[NODE]', minArgs: 0, maxArgs: 1, mutating: true, route: 'node', description: 'demote and stop services on a node' },
  recover: {
    name: 'recover', synopsis: '[NODE|--all]', minArgs: 0, maxArgs: 1, mutating: true, route: 'node',
    description: 'clear the failure and fail count of a node; --all: of every runner that has one',
  },
  failures: { name: 'failures', synopsis: '', minArgs: 0, maxArgs: 0, mutating: false, route: 'leader', description: 'the most recent failures' },
  events: {
    name: 'events', synopsis: '[NODE] [since=DURATION|TIME] [after=SEQ] [tail=N] [limit=N]', minArgs: 0, maxArgs: 5, mutating: false, route: 'node',
    description: 'a node\'s events from its journal (koi events: follow them; --since 10m: every node\'s, merged)',
  },
  commands: {
    name: 'commands', synopsis: '', minArgs: 0, maxArgs: 0, mutating: false, route: 'self',
    description: 'every command the node answers, those its plugins add included',
  },
};

/** An admin command a plugin declared (core/plugins/commands.ts checks it at load). */
export interface DeclaredCommand {
  name: string;
  /** Argument synopsis ('' = none). */
  usage: string;
  summary: string;
  /** Allowed under read-only network admin, no challenge needed. */
  readOnly: boolean;
  /** `here`: the node asked; `leader`: forwarded to the leader; `every`: every node, answers joined. */
  runs: 'here' | 'leader' | 'every';
  /** The plugin that declared it (as configured). */
  plugin: string;
}

export function isBuiltinCommand(command: string): command is BuiltinCommand {
  return Object.prototype.hasOwnProperty.call(COMMAND_SPECS, command);
}

/**
 * Whether a command changes anything. A plugin command counts as mutating
 * unless its plugin declared it read-only (`declared`: the node's list; the
 * client, which does not know it, always treats plugin commands as mutating
 * and lets the node decide).
 */
export function isMutatingCommand(command: string, declared: readonly DeclaredCommand[] = []): boolean {
  if (isBuiltinCommand(command)) return COMMAND_SPECS[command].mutating;
  return !(declared.find((d) => d.name === command)?.readOnly ?? false);
}

export function usageLine(spec: CommandSpec): string {
  return `koi ${spec.name}${spec.synopsis ? ` ${spec.synopsis}` : ''}`;
}

/** Why `args` do not fit the command, or null when they do. */
export function checkUsage(spec: CommandSpec, args: readonly string[]): string | null {
  if (args.length < spec.minArgs) return `${spec.name} needs ${spec.synopsis}`;
  if (args.length > spec.maxArgs) {
    const extra = args.slice(spec.maxArgs).map((a) => `'${a}'`).join(' ');
    return `${spec.name} takes ${spec.maxArgs === 0 ? 'no arguments' : `at most ${spec.maxArgs} argument`}; unexpected ${extra}`;
  }
  if (spec.values && args.length > 0 && !spec.values.includes(args[0])) {
    return `${spec.name} takes ${spec.values.join(' or ')}, not '${args[0]}'`;
  }
  if (args.some((a) => a.length === 0)) return `${spec.name}: empty argument`;
  return null;
}
