/**
 * Admin commands declared by plugins (`commands` of the plugin object):
 * checked at load — a clear name, no clash with a built-in command or another
 * plugin's — and handed to the admin server for routing, access and help.
 */
import type { CommandRoute, PluginCommand } from '../../plugin-api';
import { BUILTIN_COMMANDS } from '../admin/commands';
import type { DeclaredCommand } from '../admin/commands';
import { PluginError } from './errors';

export type { DeclaredCommand };

const ROUTES: readonly CommandRoute[] = ['here', 'leader', 'every'];
/** Words the client itself answers (not commands a node sees). */
const CLIENT_WORDS = ['check', 'keygen', 'help'];

export function checkPluginCommands(plugin: string, commands: readonly PluginCommand[] | undefined, declared: readonly DeclaredCommand[]): DeclaredCommand[] {
  if (commands === undefined) return [];
  if (!Array.isArray(commands)) throw new PluginError(plugin, 'bad-export', '`commands` must be a list of { name, summary, usage?, readOnly?, runs? }');
  const out: DeclaredCommand[] = [];
  for (const c of commands as PluginCommand[]) {
    const name = c?.name;
    if (typeof name !== 'string' || !/^[a-z][a-z0-9-]*$/.test(name)) {
      throw new PluginError(plugin, 'bad-export', `declares the command ${JSON.stringify(name)}: a command name is lower-case letters, digits and '-', starting with a letter`);
    }
    if ((BUILTIN_COMMANDS as readonly string[]).includes(name) || CLIENT_WORDS.includes(name)) {
      throw new PluginError(plugin, 'command-conflict', `declares the command '${name}', which is a built-in koi command`);
    }
    const other = [...declared, ...out].find((d) => d.name === name);
    if (other) throw new PluginError(plugin, 'command-conflict', `declares the command '${name}', which plugin ${other.plugin} already declares`);
    const runs = c.runs ?? 'here';
    if (!ROUTES.includes(runs)) throw new PluginError(plugin, 'bad-export', `command '${name}': runs must be one of ${ROUTES.join(', ')}, not ${JSON.stringify(runs)}`);
    if (typeof c.summary !== 'string' || c.summary.trim() === '') throw new PluginError(plugin, 'bad-export', `command '${name}' has no summary (one line for koi --help)`);
    out.push({ name, usage: typeof c.usage === 'string' ? c.usage : '', summary: c.summary, readOnly: c.readOnly === true, runs, plugin });
  }
  return out;
}
