/**
 * Finding 4 of issue 11: a 10 s flood of forged full-size datagrams from
 * ~2000 source ports on 20 loopback addresses against a real koinode costs a
 * handful of WARN lines (the reject log is keyed by address, with a global
 * budget) and bounded memory, and the node still answers. (The old logger,
 * keyed by ip:port, wrote one line per port: ~2000 here, 89,991 in 60 s.)
 * `npm run flood` runs the same for 60 s.
 */
import { runFlood } from '../../scripts/flood';

jest.setTimeout(60_000);

test('10 s flood from rotating ports and 20 addresses: bounded WARN lines and RSS, node still answers', async () => {
  const r = await runFlood({ seconds: 10, perSecond: 5000 });
  // eslint-disable-next-line no-console
  console.log(`flood: ${JSON.stringify(r)}`);
  expect(r.sent).toBeGreaterThan(20_000);
  expect(r.sourcePorts).toBeGreaterThan(400);
  // Budget: a burst of 5, then 1 line/s, (plus one per address per 10 s, inside the same budget).
  expect(r.warnLines).toBeGreaterThanOrEqual(5);
  expect(r.warnLines).toBeLessThanOrEqual(5 + r.seconds + 3);
  // The lines account for what they did not show.
  expect(r.summarised).toBeGreaterThan(1000);
  expect(r.rssPeakMb - r.rssBeforeMb).toBeLessThan(25);
  expect(r.answersAfter).toBe(true);
});
