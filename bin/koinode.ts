#!/usr/bin/env node
/**
 * koinode: the koi cluster daemon (SPEC §8). Thin: parse argv, then
 * core/daemon does the work.
 */
import '../core/daemon/apply-v8-tuning'; // first: before any other module is compiled
import * as path from 'node:path';
import { Command } from 'commander';
import { ConfigError, loadConfig } from '../core/config';
import { DAEMON_CHILD_ENV, daemonize, tellParent } from '../core/daemon/daemonize';
import { PidFileError, checkPidFile, removePidFile } from '../core/daemon/pidfile';
import { runDaemon } from '../core/daemon/run';
import { koiVersion } from '../core/node/version';
import { checkConfiguration, formatCheckReport } from '../core/daemon/check';
import { ExitCode, errorDetail } from '../plugin-api';

interface KoinodeFlags {
  file?: string[];
  name?: string;
  debug?: boolean;
  color: boolean;
  log?: string;
  daemonize?: string;
  check?: boolean;
}

async function main(argv: string[]): Promise<void> {
  const program = new Command()
    .name('koinode')
    .description('koi cluster node: leader election, master selection and service control for an active/passive application')
    .version(koiVersion(), '-v, --version', 'print the version and exit')
    .helpOption('-h, --help', 'show this help')
    .option('-f, --file <file>', 'configuration file; may repeat, later files override earlier (default: /etc/koi/koi.conf; never read from the working directory unless named here)',
      (value: string, previous: string[] | undefined) => [...(previous ?? []), value])
    .option('-n, --name <name>', 'node name (overrides node.name; default: the host name)')
    .option('-d, --debug', 'log at debug level')
    .option('-C, --no-color', 'no colour in console log lines')
    .option('--log <targets>', 'log targets, comma-separated: console, syslog, file:PATH, json (default: console; syslog when daemonized)')
    .option('--daemonize <pidfile>', 'run in the background; write the daemon\'s pid to PIDFILE')
    .option('--check', 'validate every configuration source and plugin option, print each problem with file:line, exit 0 (OK) or 78; start nothing')
    .showHelpAfterError()
    .addHelpText('after', '\nExit codes: 0 stopped cleanly, 1 failure, 78 bad configuration.\nSignals: SIGHUP/SIGUSR1 reload the configuration; SIGTERM/SIGINT stop gracefully.');
  program.parse(argv);
  const flags = program.opts<KoinodeFlags>();
  if (flags.check) {
    const report = await checkConfiguration({ files: flags.file, name: flags.name, log: flags.log !== undefined ? [flags.log] : undefined });
    (report.exitCode === 0 ? process.stdout : process.stderr).write(formatCheckReport(report, 'koinode --check'));
    process.exit(report.exitCode);
  }
  const childPidFile = process.env[DAEMON_CHILD_ENV];

  // Daemonized, console output would go to /dev/null: default to syslog.
  const daemonized = flags.daemonize !== undefined || childPidFile !== undefined;
  const log = flags.log !== undefined ? [flags.log] : daemonized ? ['syslog'] : ['console'];

  if (flags.daemonize !== undefined && childPidFile === undefined) {
    const pidFile = path.resolve(flags.daemonize);
    try {
      checkPidFile(pidFile); // refuse early; daemonize() claims it (and says when it replaces a stale one)
    } catch (err) {
      process.stderr.write(`koinode: ${(err as Error).message}\n`);
      process.exit(ExitCode.FAILURE);
    }
    try {
      // Refuse a bad configuration here, where stderr is still visible.
      await loadConfig({ files: flags.file, overrides: { name: flags.name } });
    } catch (err) {
      if (err instanceof ConfigError) {
        process.stderr.write(`${err.format()}\n`);
        process.exit(err.exitCode);
      }
      throw err;
    }
    try {
      const forwarded = argv.slice(2);
      process.exit(await daemonize(pidFile, __filename, forwarded));
    } catch (err) {
      if (err instanceof PidFileError) {
        process.stderr.write(`koinode: ${err.message}\n`);
        process.exit(ExitCode.FAILURE);
      }
      throw err;
    }
  }

  await runDaemon(
    { files: flags.file, name: flags.name, debug: flags.debug ?? false, color: flags.color, log },
    childPidFile === undefined ? {} : {
      onReady: () => void tellParent({ type: 'ready', pid: process.pid }),
      onStartFailed: (text, exitCode) => tellParent({ type: 'failed', text, exitCode }),
      onExit: () => removePidFile(childPidFile, process.pid),
    },
  );
}

main(process.argv).catch((err: unknown) => {
  process.stderr.write(`koinode: ${errorDetail(err)}\n`);
  process.exit(ExitCode.FAILURE);
});
