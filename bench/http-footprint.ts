/**
 * Idle cost of the http plugin (`npm run bench:http`): two steady 3-node
 * clusters (quorum 2, default timings) run side by side over the same
 * window, one without plugins, one with `http` on every node and
 * /metrics of each node fetched every 15 s (a Prometheus default), so the
 * load of a shared machine weighs on both alike. CPU = cpuSeconds
 * (bench/lib/proc.ts) of each koinode over the window, as % of one core; RSS = VmRSS at
 * the end. Rounds alternate which cluster starts first.
 *
 *   node dist/bench/http-footprint.js [--window 90] [--rounds 2] [--scrape 15]
 */
import { Cluster, findFreePorts } from '../scripts/lib/cluster';
import { describeMachine } from './lib/machine';
import { cpuSeconds, memory } from './lib/proc';
import { epochMs, sleep, waitSteady } from './lib/status';
import { summarize } from './lib/stats';

interface Sample { cpuPercent: number; rssMB: number }

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

async function round(windowS: number, scrapeS: number, httpFirst: boolean): Promise<{ plain: Sample[]; http: Sample[]; scrapeMs: number[] }> {
  const ports = await findFreePorts(3);
  const make = (withHttp: boolean) => Cluster.create({
    nodes: 3, quorum: 2, statusInterval: '10s', tag: withHttp ? 'koi-bench-http' : 'koi-bench-plain',
    ...(withHttp ? { pluginConf: (n: { name: string }) => `http { listen 127.0.0.1:${ports[Number(n.name.slice(1)) - 1]} }` } : {}),
  });
  const [first, second] = httpFirst ? [await make(true), await make(false)] : [await make(false), await make(true)];
  const withHttp = httpFirst ? first : second;
  const plain = httpFirst ? second : first;
  try {
    first.start();
    second.start();
    await Promise.all([waitSteady(first, 'first cluster steady'), waitSteady(second, 'second cluster steady')]);
    await sleep(3000);
    const names = ['n1', 'n2', 'n3'];
    const scrapeMs: number[] = [];
    const scrape = async (): Promise<void> => {
      await Promise.all(ports.map(async (port) => {
        const t0 = epochMs();
        const res = await fetch(`http://127.0.0.1:${port}/metrics`);
        await res.text();
        scrapeMs.push(epochMs() - t0);
      }));
    };
    const before = new Map<string, number>([...names.map((n) => [`p-${n}`, cpuSeconds(plain.pid(n))] as const), ...names.map((n) => [`h-${n}`, cpuSeconds(withHttp.pid(n))] as const)]);
    const t0 = epochMs();
    await scrape();
    const timer = setInterval(() => void scrape(), scrapeS * 1000);
    await sleep(windowS * 1000);
    clearInterval(timer);
    const elapsed = (epochMs() - t0) / 1000;
    const sample = (c: Cluster, key: string, n: string): Sample => ({
      cpuPercent: ((cpuSeconds(c.pid(n)) - before.get(`${key}-${n}`)!) / elapsed) * 100,
      rssMB: (memory(c.pid(n)).rssKiB * 1024) / 1e6,
    });
    return { plain: names.map((n) => sample(plain, 'p', n)), http: names.map((n) => sample(withHttp, 'h', n)), scrapeMs };
  } finally {
    await first.close();
    await second.close();
  }
}

async function main(): Promise<void> {
  const windowS = arg('window', 90);
  const rounds = arg('rounds', 2);
  const scrapeS = arg('scrape', 15);
  console.log(`http plugin idle cost: ${rounds} rounds of ${windowS} s, /metrics every ${scrapeS} s; ${describeMachine()}`);
  const all = { plain: [] as Sample[], http: [] as Sample[], scrapeMs: [] as number[] };
  for (let r = 0; r < rounds; r++) {
    const got = await round(windowS, scrapeS, r % 2 === 1);
    const mean = (xs: Sample[], k: keyof Sample) => summarize(xs.map((x) => x[k])).mean;
    console.log(`round ${r + 1}: without http CPU ${got.plain.map((s) => s.cpuPercent.toFixed(2)).join(' / ')} % (mean ${mean(got.plain, 'cpuPercent').toFixed(2)}), RSS ${got.plain.map((s) => s.rssMB.toFixed(1)).join(' / ')} MB`);
    console.log(`round ${r + 1}: with http    CPU ${got.http.map((s) => s.cpuPercent.toFixed(2)).join(' / ')} % (mean ${mean(got.http, 'cpuPercent').toFixed(2)}), RSS ${got.http.map((s) => s.rssMB.toFixed(1)).join(' / ')} MB`);
    all.plain.push(...got.plain);
    all.http.push(...got.http);
    all.scrapeMs.push(...got.scrapeMs);
  }
  const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
  const cpuP = mean(all.plain.map((s) => s.cpuPercent));
  const cpuH = mean(all.http.map((s) => s.cpuPercent));
  const rssP = mean(all.plain.map((s) => s.rssMB));
  const rssH = mean(all.http.map((s) => s.rssMB));
  const sorted = [...all.scrapeMs].sort((a, b) => a - b);
  console.log('\n| | CPU % of a core (mean per node) | RSS MB (mean per node) |');
  console.log('| --- | ---: | ---: |');
  console.log(`| without the http plugin | ${cpuP.toFixed(2)} | ${rssP.toFixed(1)} |`);
  console.log(`| with it, /metrics every ${scrapeS} s | ${cpuH.toFixed(2)} | ${rssH.toFixed(1)} |`);
  console.log(`| difference | ${(cpuH - cpuP >= 0 ? '+' : '')}${(cpuH - cpuP).toFixed(2)} | ${(rssH - rssP >= 0 ? '+' : '')}${(rssH - rssP).toFixed(1)} |`);
  console.log(`\n/metrics wall time: median ${sorted[Math.floor(sorted.length / 2)].toFixed(1)} ms, max ${sorted[sorted.length - 1].toFixed(1)} ms over ${sorted.length} scrapes`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
