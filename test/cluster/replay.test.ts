import { generateSchedule, runSchedule } from './schedules';
const seed = Number(process.env.SEED ?? 0);
(seed ? test : test.skip)('replay one schedule', async () => {
  const r = await runSchedule(generateSchedule(seed));
  console.log(r.violations, r.trace.filter((l) => !l.includes('services info') && !l.includes('membership info: node')).slice(-70).join('\n'));
}, 600000);
