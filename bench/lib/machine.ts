/** A one-line description of the machine a benchmark ran on (for docs/performance.md). */
import { spawnSync } from 'node:child_process';
import * as os from 'node:os';

export interface MachineInfo {
  nproc: number;
  cpu: string;
  ramGiB: number;
  node: string;
  platform: string;
  kernel: string;
  date: string;
}

export function machineInfo(): MachineInfo {
  const nproc = Number(spawnSync('nproc', { encoding: 'utf8' }).stdout?.trim()) || os.availableParallelism();
  return {
    nproc,
    cpu: os.cpus()[0]?.model ?? 'unknown CPU',
    ramGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${process.platform}/${process.arch}`,
    kernel: os.release(),
    date: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
  };
}

export function describeMachine(m: MachineInfo = machineInfo()): string {
  return `${m.nproc} CPUs (nproc), ${m.cpu}, ${m.ramGiB} GiB RAM, Node ${m.node}, ${m.platform} (kernel ${m.kernel}), ${m.date}`;
}
