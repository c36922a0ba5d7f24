/**
 * bench:entry's arithmetic (bench/lib/entry-meter.ts `entryRows`): two cumulative readings of one koinode
 * become calls a second, CPU µs a call and % of a core per entry, busiest first; entries not called in the
 * window are left out. (Importing the module without KOI_ENTRY_METER_DIR instruments nothing.)
 */
import { entryRows, type MeterReading } from '../../../bench/lib/entry-meter';

const reading = (entries: MeterReading['entries']): MeterReading => ({ pid: 1, totalCpuUs: 0, entries });

describe('entryRows', () => {
  test('differences over the window: rate, cost per call, share of a core; busiest first', () => {
    const before = reading({ 'node.receive': { calls: 100, cpuUs: 20_000 }, 'node.clusterTick': { calls: 50, cpuUs: 25_000 } });
    const after = reading({ 'node.receive': { calls: 500, cpuUs: 80_000 }, 'node.clusterTick': { calls: 250, cpuUs: 125_000 } });
    expect(entryRows(before, after, 10)).toEqual([
      { entry: 'node.clusterTick', perSecond: 20, usPerCall: 500, percent: 1 },
      { entry: 'node.receive', perSecond: 40, usPerCall: 150, percent: 0.6 },
    ]);
  });

  test('an entry first seen in the window counts from zero; one not called in it is left out', () => {
    const before = reading({ 'elector.tick': { calls: 7, cpuUs: 700 } });
    const after = reading({ 'elector.tick': { calls: 7, cpuUs: 700 }, 'codec.decode': { calls: 30, cpuUs: 3_000 } });
    const rows = entryRows(before, after, 3);
    expect(rows.map((r) => [r.entry, r.perSecond, r.usPerCall])).toEqual([['codec.decode', 10, 100]]);
    expect(rows[0].percent).toBeCloseTo(0.1, 10);
  });
});
