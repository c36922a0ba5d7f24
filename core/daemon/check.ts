/**
 * `koinode --check` / `koi check` (keepalived -t, crm_verify): read every
 * configuration source, validate every key, the cluster timings and every
 * plugin's options (the plugin module is loaded to read its option schema;
 * nothing is applied, bound or started), and list each problem with its
 * file:line. Exit 0 when the configuration would start, 78 (EX_CONFIG)
 * when it would not.
 */
import fs from 'node:fs';
import { ExitCode, type PluginEntry } from '../../plugin-api';
import { ConfigError, loadConfig } from '../config';
import { LogTargetError, parseLogTargets } from '../logging';
import { checkClusterConfig } from '../node/cluster-check';
import { checkPluginEntries } from '../plugins/preflight';

/** How loadConfig marks a problem it tolerated because of `needed` (config/loader.ts). */
const IGNORED = ' (not used here: ignored)';

export interface CheckOptions {
  files?: string[];
  name?: string;
  /** `--log` targets: their plugins' options are checked too. */
  log?: string[];
  cwd?: string;
  systemConfigPath?: string;
  searchCwd?: boolean;
}

export interface CheckReport {
  exitCode: 0 | 78;
  /** Every problem, `file:line: key: what is wrong` where a place is known. */
  problems: string[];
  warnings: string[];
  /** Files read. */
  sources: string[];
  /** Plugins whose options were validated. */
  plugins: string[];
}

export async function checkConfiguration(opts: CheckOptions): Promise<CheckReport> {
  const problems: string[] = [];
  const warnings: string[] = [];
  const checked: string[] = [];
  let loaded;
  try {
    // Every key problem is collected (`needed` says none is fatal, so a bad key takes its default and
    // the rest — cluster timings, plugins — is still checked); only unreadable files stop here.
    loaded = await loadConfig({
      files: opts.files, cwd: opts.cwd, overrides: { name: opts.name }, systemConfigPath: opts.systemConfigPath, searchCwd: opts.searchCwd,
      needed: () => false,
    });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return { exitCode: ExitCode.CONFIG, problems: err.format().split('\n'), warnings, sources: [], plugins: [] };
  }
  const { config } = loaded;
  for (const warning of loaded.warnings) {
    if (warning.endsWith(IGNORED)) problems.push(warning.slice(0, -IGNORED.length));
    else warnings.push(warning);
  }
  const cluster = checkClusterConfig(config);
  problems.push(...cluster.errors);
  warnings.push(...cluster.warnings);
  if (config.node.runner && !isDirectory(config.service.folder)) {
    warnings.push(`service.folder ${config.service.folder} is not a directory yet: this runner would start with no services`);
  }

  let targets: PluginEntry[] = [];
  try {
    targets = parseLogTargets(opts.log?.length ? opts.log : ['console'], { color: false, cwd: opts.cwd ?? process.cwd() });
  } catch (err) {
    if (!(err instanceof LogTargetError)) throw err;
    problems.push(`--log: ${err.message}`);
  }
  const plugins = await checkPluginEntries([...config.plugins, ...targets]);
  problems.push(...plugins.problems);
  checked.push(...plugins.checked);
  return { exitCode: problems.length ? ExitCode.CONFIG : 0, problems, warnings, sources: config.sources, plugins: checked };
}

/** The report for a terminal: problems, then warnings, then one summary line. */
export function formatCheckReport(report: CheckReport, program: string): string {
  const lines = [...report.problems.map((p) => `error: ${p}`), ...report.warnings.map((w) => `warning: ${w}`)];
  const from = report.sources.length ? report.sources.join(', ') : 'no configuration file (defaults)';
  lines.push(report.exitCode === 0
    ? `${program}: configuration OK (${from}; plugins checked: ${report.plugins.join(', ') || 'none'})`
    : `${program}: ${report.problems.length} problem${report.problems.length === 1 ? '' : 's'} in the configuration (${from}): a node would not start`);
  return `${lines.join('\n')}\n`;
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}
