/**
 * The real `koi` client code (core/admin/cli.ts) run inside the benchmark
 * process: the same requests and answers as `node dist/bin/koi.js`, without
 * starting a Node process (≈ 100 ms of CPU) for every poll — on a 2-core
 * machine those would compete with the nodes being measured. The `koi status`
 * wall-time figure still runs the real client process.
 */
import { RealClock } from '../../core/clock';
import { runKoiCli } from '../../core/admin/cli';
import { openUdpClientSocket } from '../../bin/koi';
import type { Cluster } from '../../scripts/lib/cluster';

export interface InProcessAnswer {
  code: number;
  stdout: string;
  json?: unknown;
}

export async function koiInProcess(cluster: Cluster, args: string[], node: string, timeoutMs = 1000): Promise<InProcessAnswer> {
  const clock = new RealClock();
  let stdout = '';
  const argv = ['-f', cluster.confPath(node), '-H', cluster.host, '-p', String(cluster.ports.get(node)), '--json', '--timeout', String(timeoutMs), ...args];
  try {
    const code = await runKoiCli({
      argv,
      stdout: { write: (text: string) => { stdout += text; } },
      stderr: { write: () => undefined },
      env: {},
      cwd: cluster.nodeDir(node),
      clock,
      version: 'bench',
      openSocket: openUdpClientSocket,
    });
    let json: unknown;
    try {
      json = JSON.parse(stdout);
    } catch {
      json = undefined;
    }
    return { code, stdout, json };
  } finally {
    clock.clearAll();
  }
}
