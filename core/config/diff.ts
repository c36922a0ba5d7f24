/**
 * What changed between two configurations, and whether the change needs an
 * in-process restart (SPEC §7: port, transport, roles, service folder, ... —
 * RESTART_KEYS in plugin-api/config.ts — or `node.force_restart true`).
 */
import { isDeepStrictEqual } from 'node:util';
import { RESTART_KEYS, type KoiConfig, type PluginEntry, type TransportAddress } from '../../plugin-api/config';
import { SECTION_NAMES } from './schema';

export interface ConfigDiff {
  /** Dotted keys that changed (`node.port`, `plugins.udp`, `plugins` for a new load order), sorted. */
  changed: string[];
  /** The node must restart to apply the change. */
  restart: boolean;
}

export function diffConfig(previous: KoiConfig, next: KoiConfig): ConfigDiff {
  const changed: string[] = [];
  for (const section of SECTION_NAMES) {
    const before = previous[section] as Record<string, unknown>;
    const after = next[section] as Record<string, unknown>;
    for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
      const same = section === 'cluster' && key === 'transport'
        ? isDeepStrictEqual(addressKeys(previous.cluster.transport), addressKeys(next.cluster.transport))
        : isDeepStrictEqual(before[key], after[key]);
      if (!same) changed.push(`${section}.${key}`);
    }
  }
  changed.push(...pluginChanges(previous.plugins, next.plugins));
  changed.sort();
  const restart = next.node.force_restart
    || changed.some((key) => RESTART_KEYS.some((restartKey) => key === restartKey || key.startsWith(`${restartKey}.`)));
  return { changed, restart };
}

/** Compare what an address means, not how it was written. */
function addressKeys(list: readonly TransportAddress[]): string[] {
  return list.map((address) => `${address.kind} ${address.host} ${address.port}`);
}

/** `plugins.NAME` for each added, removed or reconfigured plugin; `plugins` when the load order of the rest changed. Origins (line numbers) are ignored. */
function pluginChanges(before: readonly PluginEntry[], after: readonly PluginEntry[]): string[] {
  const changed: string[] = [];
  const byName = (list: readonly PluginEntry[]) => new Map(list.map((entry) => [entry.name, entry]));
  const oldEntries = byName(before);
  const newEntries = byName(after);
  for (const name of new Set([...oldEntries.keys(), ...newEntries.keys()])) {
    const a = oldEntries.get(name);
    const b = newEntries.get(name);
    if (!a || !b || !isDeepStrictEqual(a.options, b.options) || a.baseDir !== b.baseDir) changed.push(`plugins.${name}`);
  }
  const commonOrder = (list: readonly PluginEntry[], other: Map<string, PluginEntry>) => list.map((e) => e.name).filter((n) => other.has(n));
  if (!isDeepStrictEqual(commonOrder(before, newEntries), commonOrder(after, oldEntries))) changed.push('plugins');
  return changed;
}
