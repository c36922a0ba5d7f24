#!/usr/bin/env node
/**
 * `koi`: the cluster's command-line client (SPEC §9). Thin: the real process,
 * clock and a UDP socket, handed to core/admin/cli.ts.
 */
import { RealClock } from '../core/clock';
import { koiVersion } from '../core/node/version';
import { runKoiCli } from '../core/admin/cli';
import type { ClientSocket } from '../core/admin/client';
import { createUdpClientSocket } from '../core/admin/udp-client-socket';
import { ExitCode, errorDetail } from '../plugin-api';

/**
 * The client's UDP socket (ephemeral port, v4 or v6 by the target,
 * loopback-only when the node is local; answers accepted from any sender,
 * every datagram being authenticated by the codec), adapted to the
 * admin client's socket interface.
 */
export async function openUdpClientSocket(host: string, port: number): Promise<ClientSocket> {
  const udp = await createUdpClientSocket(host, port);
  const errorHandlers: Array<(err: Error) => void> = [];
  return {
    target: udp.target,
    send(data) {
      udp.send(data).catch((err: Error) => {
        for (const handler of errorHandlers) handler(err);
      });
    },
    onDatagram(handler) {
      udp.onDatagram(handler);
    },
    onError(handler) {
      errorHandlers.push(handler);
    },
    close() {
      void udp.close();
    },
  };
}

async function main(): Promise<void> {
  const clock = new RealClock();
  const code = await runKoiCli({
    argv: process.argv.slice(2),
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    clock,
    version: koiVersion(),
    openSocket: openUdpClientSocket,
    // `koi events` and `koi status --watch` end on Ctrl-C with exit 0 (and the cursor shown again).
    onInterrupt: (handler) => {
      process.on('SIGINT', handler);
      return () => process.off('SIGINT', handler);
    },
  });
  clock.clearAll();
  process.exitCode = code;
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`koi: unexpected error: ${errorDetail(err)}\n`);
    process.exitCode = ExitCode.FAILURE;
  });
}
