import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { defaultConfig } from '../../../core/config/defaults';
import {
  COMPILER_ON_FLAG, CompilerTuning, JIT_ABOVE_DATAGRAMS_PER_S, JIT_ENV, compilerChoice, configuredDatagramRate, tuneV8AtStart,
} from '../../../core/daemon/v8-tuning';
import type { KoiConfig, TransportAddress } from '../../../plugin-api';
import { createTestLogger } from '../../helpers/logger';

const unicast = (n: number): TransportAddress[] =>
  Array.from({ length: n }, (_, i) => ({ kind: 'ipv4', host: `10.0.0.${i + 1}`, port: 42001, raw: `10.0.0.${i + 1}` }) as TransportAddress);

function config(nodes: number, intervalMs: number, transport?: TransportAddress[]): KoiConfig {
  const c = defaultConfig();
  c.cluster.transport = transport ?? unicast(nodes);
  c.time.cluster_update_interval = intervalMs;
  return c;
}

describe('koinode and V8\'s optimizing compiler', () => {
  it('starts with the optimizing compilers off unless KOINODE_JIT=1', () => {
    const set: string[] = [];
    expect(tuneV8AtStart({}, (f) => set.push(f))).toBe(false);
    expect(set).toEqual(['--no-turbofan', '--no-maglev']);
    expect(tuneV8AtStart({ [JIT_ENV]: 'yes' }, (f) => set.push(f))).toBe(false);
    expect(set).toHaveLength(4);
    expect(tuneV8AtStart({ [JIT_ENV]: '1' }, (f) => set.push(f))).toBe(true);
    expect(set).toHaveLength(4);
  });

  it('counts the datagrams a configuration makes a node handle: a heartbeat to and from each peer', () => {
    const defaults = defaultConfig().time.cluster_update_interval;
    expect(configuredDatagramRate(config(3, defaults))).toBeCloseTo((2 * 2 * 1000) / defaults, 6); // 80 at 50 ms
    expect(configuredDatagramRate(config(5, defaults))).toBeCloseTo((2 * 4 * 1000) / defaults, 6);
    expect(configuredDatagramRate(config(3, 10))).toBe(400);
    // Multicast names no node: a 3-node cluster is assumed.
    const multicast = [{ kind: 'multicast4', host: '239.1.1.1', port: 42001, raw: '239.1.1.1' } as TransportAddress];
    expect(configuredDatagramRate(config(0, 10, multicast))).toBe(400);
  });

  it('turns the compiler on above the threshold only, and the environment overrides the configuration', () => {
    expect(compilerChoice(config(3, 50), {}).jit).toBe(false); // the defaults: 80 a second
    expect(compilerChoice(config(3, 25), {}).jit).toBe(true); // 160
    expect(compilerChoice(config(5, 50), {}).jit).toBe(true); // 160
    expect(compilerChoice(config(3, 10), {}).jit).toBe(true); // the fast profile: 400
    const atThreshold = (2 * 2 * 1000) / JIT_ABOVE_DATAGRAMS_PER_S;
    expect(compilerChoice(config(3, atThreshold), {}).jit).toBe(false);
    expect(compilerChoice(config(3, 10), { [JIT_ENV]: '0' })).toEqual({ jit: false, why: `${JIT_ENV}=0` });
    expect(compilerChoice(config(3, 50), { [JIT_ENV]: '1' })).toEqual({ jit: true, why: `${JIT_ENV}=1` });
  });

  it('follows the configuration one way: on (logged once) when one asks for it, never off again', () => {
    const set: string[] = [];
    const capture = createTestLogger();
    const log = capture.logger;
    const tuning = new CompilerTuning({}, (f) => set.push(f));
    expect(tuning.apply(config(3, 50), log)).toBe(false);
    expect(set).toEqual([]); // already off since start
    expect(tuning.apply(config(3, 10), log)).toBe(true);
    expect(tuning.apply(config(3, 15), log)).toBe(true);
    expect(tuning.apply(config(3, 50), log)).toBe(true);
    expect(set).toEqual(['--turbofan']);
    expect(capture.records.map((r) => r.msg)).toEqual([
      'V8 optimizing compiler on: ≈ 400 datagrams a second by configuration, above 120 (docs/performance.md "RSS")',
    ]);
    // KOINODE_JIT=1 started it on: nothing to do.
    const pinned: string[] = [];
    expect(new CompilerTuning({ [JIT_ENV]: '1' }, (f) => pinned.push(f)).apply(config(3, 50), null)).toBe(true);
    expect(pinned).toEqual([]);
    // A value that is neither 1 nor 0 is named once, and the configuration decides.
    const odd = createTestLogger();
    const typo = new CompilerTuning({ [JIT_ENV]: 'yes' }, () => undefined);
    expect(typo.apply(config(3, 50), odd.logger)).toBe(false);
    typo.apply(config(3, 50), odd.logger);
    expect(odd.find('warn').map((r) => r.msg)).toEqual([
      `${JIT_ENV}=yes ignored: 1 keeps V8's optimizing compiler on, 0 keeps it off; anything else leaves the choice to the configuration`,
    ]);
  });

  it('both flags take effect at run time in this Node: hot code is optimized only while the compiler is on', () => {
    // What koinode relies on (V8 keeps its flags writable after start-up). %GetOptimizationStatus bit 16: TurboFan code.
    const built = path.resolve(__dirname, '../../../dist/core/daemon/v8-tuning.js');
    if (!fs.existsSync(built)) throw new Error(`${built} is missing: run \`npm run build\` first (npm test does)`);
    const probe = `
      const { tuneV8AtStart } = require(${JSON.stringify(built)});
      const v8 = require('node:v8');
      const mode = process.argv[1];
      if (mode !== 'plain') tuneV8AtStart({});
      if (mode === 'on-again') v8.setFlagsFromString(${JSON.stringify(COMPILER_ON_FLAG)});
      function hot(x) { return x * 2 + 1; }
      for (let i = 0; i < 2e6; i++) hot(i);
      process.stdout.write(String((%GetOptimizationStatus(hot) & 16) !== 0));`;
    const run = (mode: string) => spawnSync(process.execPath, ['--allow-natives-syntax', '-e', probe, mode], { encoding: 'utf8' });
    const plain = run('plain');
    expect(plain.stderr).toBe('');
    expect(plain.stdout).toBe('true');
    expect(run('off').stdout).toBe('false');
    expect(run('on-again').stdout).toBe('true');
  });
});
