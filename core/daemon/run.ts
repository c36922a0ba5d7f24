/**
 * The process around a Daemon: signals, uncaught errors, the shutdown
 * deadline, and exit codes. bin/koinode.ts calls `runDaemon`.
 */
import { Daemon, startFailure } from '../daemon';
import type { DaemonOptions } from '../daemon';
import { ExitCode, errorDetail, errorMessage } from '../../plugin-api';
import { CompilerTuning } from './v8-tuning';

export interface RunHooks {
  /** The node started (daemonize: tell the parent). */
  onReady?(daemon: Daemon): void;
  /** The start failed with this text and code (daemonize: tell the parent). */
  onStartFailed?(text: string, exitCode: number): void | Promise<void>;
  /** Just before the process exits. */
  onExit?(code: number): void;
}

/** Start a daemon and keep it running until a signal ends it. Never resolves normally: the process exits. */
export async function runDaemon(options: DaemonOptions, hooks: RunHooks = {}): Promise<void> {
  // The optimizing compiler follows the configuration's datagram rate (v8-tuning.ts); tests that build a
  // Daemon in-process leave the test runner's V8 alone.
  const compiler = new CompilerTuning();
  const daemon = new Daemon({ ...options, onConfig: options.onConfig ?? ((config, log) => compiler.apply(config, log)) });
  let exiting = false;
  const exit = async (code: number): Promise<never> => {
    if (!exiting) {
      exiting = true;
      await daemon.flushLogs().catch(() => undefined);
    }
    hooks.onExit?.(code);
    process.exit(code);
  };

  daemon.onFatal = (reason, code, stopFirst) => {
    if (!stopFirst) {
      void exit(code);
      return;
    }
    daemon.shutdown(reason).then(
      () => exit(code),
      () => exit(code),
    );
  };

  process.on('uncaughtException', (err) => {
    daemon.logger?.fatal({ err }, `uncaught exception: ${err.stack ?? err.message}`);
    if (!daemon.logger) process.stderr.write(`koinode: uncaught exception: ${err.stack ?? err.message}\n`);
    void exit(ExitCode.FAILURE);
  });
  process.on('unhandledRejection', (reason) => {
    const text = errorDetail(reason);
    daemon.logger?.fatal(`unhandled promise rejection: ${text}`);
    if (!daemon.logger) process.stderr.write(`koinode: unhandled promise rejection: ${text}\n`);
    void exit(ExitCode.FAILURE);
  });

  // Signals during start are remembered and handled once the start is over.
  let startDone = false;
  let pendingStop: NodeJS.Signals | null = null;
  let shutdownSignals = 0;
  const onStop = (signal: NodeJS.Signals): void => {
    if (!startDone) {
      pendingStop = signal;
      return;
    }
    shutdownSignals++;
    if (shutdownSignals > 1) {
      daemon.logger?.warn(`${signal} again: forcing exit`);
      void exit(ExitCode.FAILURE);
      return;
    }
    const deadline = daemon.shutdownDeadlineMs();
    const timer = setTimeout(() => {
      daemon.logger?.error(`graceful shutdown did not finish within ${deadline} ms: forcing exit`);
      void exit(ExitCode.FAILURE);
    }, deadline);
    daemon.shutdown(`signal ${signal}`).then(
      () => {
        clearTimeout(timer);
        void exit(ExitCode.OK);
      },
      (err: unknown) => {
        daemon.logger?.error(`shutdown failed: ${errorMessage(err)}`);
        void exit(ExitCode.FAILURE);
      },
    );
  };
  const onReload = (signal: NodeJS.Signals): void => {
    if (!startDone) return;
    daemon.logger?.info(`${signal}: reloading the configuration`);
    void daemon.reload();
  };
  process.on('SIGTERM', onStop);
  process.on('SIGINT', onStop);
  process.on('SIGHUP', onReload);
  process.on('SIGUSR1', onReload);

  try {
    await daemon.start();
  } catch (err) {
    const failure = startFailure(err);
    process.stderr.write(`${failure.message}\n`);
    await hooks.onStartFailed?.(failure.message, failure.exitCode);
    await exit(failure.exitCode);
  }
  startDone = true;
  // A daemon lives until a signal ends it, whether or not its plugins hold the event loop open.
  setInterval(() => undefined, 1 << 30);
  hooks.onReady?.(daemon);
  if (pendingStop) onStop(pendingStop);
}
