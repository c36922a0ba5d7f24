import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { cpuResolutionS, cpuSeconds, hasSchedstat, runtimeSeconds } from '../../../bench/lib/proc';

/** Spins this thread until `ms` of its own CPU time (process.cpuUsage) have passed; returns what it measured, s. */
function burn(ms: number): number {
  const start = process.cpuUsage();
  let used = 0;
  while (used < ms * 1000) {
    const d = process.cpuUsage(start);
    used = d.user + d.system;
  }
  return used / 1e6;
}

const linux = process.platform === 'linux';

(linux ? describe : describe.skip)('bench/lib/proc CPU readings', () => {
  it('reads a few milliseconds of CPU to well under a clock tick when the kernel has schedstat', () => {
    if (!hasSchedstat()) {
      console.warn('skipped: this kernel has no /proc/<pid>/task/<tid>/schedstat; cpuSeconds reads clock ticks');
      return;
    }
    expect(cpuResolutionS()).toBeLessThan(1e-6);
    // Several short bursts, each far below a 10 ms tick: tick counting reads most of them as 0 or 10 ms.
    for (const ms of [2, 3, 4, 6]) {
      const before = cpuSeconds(process.pid);
      const used = burn(ms);
      const read = cpuSeconds(process.pid) - before;
      // Other threads of this process (GC helpers) may add a little; reading takes a little too.
      expect(read).toBeGreaterThanOrEqual(used * 0.9);
      expect(read).toBeLessThan(used + 0.002);
    }
  });

  it('adds up every thread of the process, not only the main one', async () => {
    if (!hasSchedstat()) return;
    const mainThread = (): number => Number(readFileSync(`/proc/${process.pid}/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]) / 1e9;
    // A worker thread spins for 60 ms of wall time and stays alive (an exited thread's time leaves the sum) until told.
    const worker = new Worker(`
      const { parentPort } = require('node:worker_threads');
      const end = Date.now() + 60; while (Date.now() < end) {}
      parentPort.postMessage('spun');
      parentPort.once('message', () => process.exit(0));
    `, { eval: true });
    const totalBefore = runtimeSeconds(process.pid);
    const mainBefore = mainThread();
    await new Promise((resolve) => worker.once('message', resolve));
    const others = (runtimeSeconds(process.pid) - totalBefore) - (mainThread() - mainBefore);
    worker.postMessage('exit');
    await new Promise((resolve) => worker.once('exit', resolve));
    // The spin ran on another thread: at least part of its 60 ms (a loaded machine may hold it off the CPU) shows up.
    expect(others).toBeGreaterThan(0.02);
  });
});
