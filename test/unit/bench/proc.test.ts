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
  it('finds schedstat wherever the kernel keeps run times in it', () => {
    let mainNs = 0;
    try {
      mainNs = Number(readFileSync(`/proc/${process.pid}/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // no schedstat on this kernel
    }
    expect(hasSchedstat()).toBe(mainNs > 0);
  });

  it('reads a few milliseconds of CPU to well under a clock tick when the kernel has schedstat', () => {
    if (!hasSchedstat()) {
      console.warn('skipped: this kernel has no /proc/<pid>/task/<tid>/schedstat; cpuSeconds reads clock ticks');
      return;
    }
    expect(cpuResolutionS()).toBeLessThan(1e-6);
    // Bursts of 5 ms, half a clock tick: counted in 10 ms ticks each reads 0 or 10 ms, 5 ms off. Both sides count
    // every thread of this process, so other threads (GC helpers, jest's) may put one burst off: most must be close.
    // (process.cpuUsage brings this thread's run time up to date in the kernel, so schedstat does not lag the burn.)
    cpuSeconds(process.pid);
    const errors: number[] = [];
    for (let i = 0; i < 8; i++) {
      const before = cpuSeconds(process.pid);
      const used = burn(5);
      errors.push(Math.abs(cpuSeconds(process.pid) - before - used));
    }
    expect(errors.filter((e) => e < 0.002).length).toBeGreaterThanOrEqual(6);
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
