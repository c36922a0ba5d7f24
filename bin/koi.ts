#!/usr/bin/env node
/**
 * `koi`: the cluster's command-line client (SPEC §9). Thin: the real process,
 * clock and a UDP socket, handed to core/admin/cli.ts.
 */
import { createSocket } from 'node:dgram';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Socket } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { RealClock } from '../core/clock';
import { runKoiCli } from '../core/admin/cli';
import type { ClientSocket } from '../core/admin/client';

/** `host:port`, `[v6]:port`: the address form transports use. */
function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * A UDP socket on an ephemeral port that sends to one node. Not connected:
 * a node with several addresses may answer from another one, and every
 * datagram is authenticated by the codec anyway.
 */
export async function openUdpClientSocket(host: string, port: number): Promise<ClientSocket> {
  const address = isIP(host) !== 0 ? host : (await lookup(host)).address;
  const family = isIP(address) === 6 ? 'udp6' : 'udp4';
  const socket: Socket = createSocket({ type: family });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind({ port: 0, address: family === 'udp6' ? '::' : '0.0.0.0' }, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  const errorHandlers: Array<(err: Error) => void> = [];
  socket.on('error', (err) => {
    for (const handler of errorHandlers) handler(err);
  });
  let closed = false;
  return {
    target: joinHostPort(address, port),
    send(data) {
      socket.send(data, port, address, (err) => {
        if (err) for (const handler of errorHandlers) handler(err);
      });
    },
    onDatagram(handler) {
      socket.on('message', (data, rinfo) => handler(new Uint8Array(data.buffer, data.byteOffset, data.length), joinHostPort(rinfo.address, rinfo.port)));
    },
    onError(handler) {
      errorHandlers.push(handler);
    },
    close() {
      if (closed) return;
      closed = true;
      socket.close();
    },
  };
}

/** The version of the koi package this file belongs to (bin/ in the source tree, dist/bin/ when built). */
function packageVersion(): string {
  for (let dir = __dirname, i = 0; i < 4; i++, dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
    if (pkg.name === 'koi' && pkg.version) return pkg.version;
  }
  return 'unknown';
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
    version: packageVersion(),
    openSocket: openUdpClientSocket,
  });
  clock.clearAll();
  process.exitCode = code;
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`koi: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  });
}
