import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { DAEMON_V8_FLAGS, JIT_ENV, tuneV8ForDaemon } from '../../../core/daemon/v8-tuning';

// The built module (npm test builds first): the probe below runs in a plain node child.
const BUILT = path.resolve(__dirname, '../../../dist/core/daemon/v8-tuning.js');

describe('koinode V8 tuning', () => {
  it('turns the optimizing compiler off by default', () => {
    const set: string[] = [];
    expect(tuneV8ForDaemon({}, (f) => set.push(f))).toEqual(['--no-opt']);
    expect(set).toEqual([...DAEMON_V8_FLAGS]);
  });

  it(`leaves V8 alone when ${JIT_ENV}=1, and only then`, () => {
    const set: string[] = [];
    expect(tuneV8ForDaemon({ [JIT_ENV]: '1' }, (f) => set.push(f))).toEqual([]);
    expect(set).toEqual([]);
    expect(tuneV8ForDaemon({ [JIT_ENV]: 'yes' }, () => undefined)).toEqual(['--no-opt']);
  });

  it('takes effect when set at run time: a hot function is not optimized afterwards', () => {
    // What koinode relies on: this Node keeps V8's flags writable after start-up.
    // %GetOptimizationStatus bit 16: optimized by TurboFan.
    const probe = `
      const { tuneV8ForDaemon } = require(${JSON.stringify(BUILT)});
      if (process.argv[1] === 'tuned') tuneV8ForDaemon({});
      function hot(x) { return x * 2 + 1; }
      for (let i = 0; i < 2e6; i++) hot(i);
      process.stdout.write(String((%GetOptimizationStatus(hot) & 16) !== 0));`;
    const run = (mode: string) => spawnSync(process.execPath, ['--allow-natives-syntax', '-e', probe, mode], { encoding: 'utf8' });
    const plain = run('plain');
    expect(plain.stderr).toBe('');
    expect(plain.stdout).toBe('true');
    expect(run('tuned').stdout).toBe('false');
  });
});
