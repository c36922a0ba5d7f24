/**
 * The http plugin with a real Prometheus (Debian's `prometheus` package):
 * its own server process (own config in a temp folder, 127.0.0.1 on a free
 * port, 1 s scrapes, the alert rules koi ships) scrapes a three-node
 * koinode cluster; after a SIGKILL of the master, Prometheus' HTTP API
 * shows another node as master, the failover counted and the promotion.
 * `promtool check metrics` passes on a node's /metrics and `promtool check
 * rules` on the shipped rules (and on the copy docs/observability.md shows).
 * Also over real processes: /status and /local are what `koi --json`
 * prints, from any node. Skips with a message when prometheus is missing.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { E2ECluster, REPO_ROOT, findFreePorts, sleep } from './harness';

jest.setTimeout(120_000);

const PROMETHEUS = ['/usr/bin/prometheus', '/usr/local/bin/prometheus'].find((f) => fs.existsSync(f));
const PROMTOOL = ['/usr/bin/promtool', '/usr/local/bin/promtool'].find((f) => fs.existsSync(f));
const RULES = path.join(REPO_ROOT, 'examples', 'prometheus', 'koi-alerts.yml');
const DOC = path.join(REPO_ROOT, 'docs', 'observability.md');

const describeWithPrometheus = PROMETHEUS && PROMTOOL ? describe : describe.skip;
if (!PROMETHEUS || !PROMTOOL) {
  console.warn('http-prometheus.test.ts skipped: prometheus/promtool not installed (Debian package `prometheus`; .ci/run installs it)');
}

let cluster: E2ECluster;
let httpPorts: Map<string, number>;

beforeAll(async () => {
  const ports = await findFreePorts(3);
  httpPorts = new Map(['n1', 'n2', 'n3'].map((n, i) => [n, ports[i]]));
  cluster = await E2ECluster.create({
    nodes: 3, quorum: 2, statusInterval: '500ms', tag: 'koi-http-prom',
    pluginConf: (node) => `http { listen 127.0.0.1:${httpPorts.get(node.name)} }`,
  });
  cluster.start();
});

afterAll(async () => {
  await cluster?.close();
});

const url = (node: string, p: string): string => `http://127.0.0.1:${httpPorts.get(node)}${p}`;

/** Fields that differ between two reads a moment apart. */
function stable(doc: unknown): unknown {
  return JSON.parse(JSON.stringify(doc), (key, value) => (/AgoMs$|^uptimeMs$|^leaderForMs$|^remainingMs$/.test(key) ? '(time)' : value));
}

test('/status and /local from every node are the documents `koi --json status` / `koi --json local` print', async () => {
  await cluster.waitForMaster();
  for (const node of ['n1', 'n2', 'n3']) {
    await cluster.waitFor(`${node} /status matches koi --json status`, async () => {
      const [fromHttp, fromKoi] = await Promise.all([
        fetch(url(node, '/status')).then((r) => r.json()),
        cluster.koi(['status'], { node, json: true }).then((r) => r.json),
      ]);
      // The node list may be reordered by a heartbeat in between: compare again until both reads agree.
      return JSON.stringify(stable(fromHttp)) === JSON.stringify(stable(fromKoi)) ? true : undefined;
    }, 10_000);
    const [local, koiLocal] = await Promise.all([
      fetch(url(node, '/local')).then((r) => r.json()) as Promise<{ type: string; name: string }>,
      cluster.koi(['local'], { node, json: true }).then((r) => r.json),
    ]);
    expect(local).toMatchObject({ type: 'local', name: node });
    expect(Object.keys(local)).toEqual(Object.keys(koiLocal as object));
  }
});

describeWithPrometheus('with a real Prometheus', () => {
  let prometheus: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();
  let promDir = '';
  let api = '';
  const promLog: string[] = [];

  beforeAll(async () => {
    promDir = fs.mkdtempSync(path.join(os.tmpdir(), 'koi-prometheus-'));
    const [port] = await findFreePorts(1);
    api = `http://127.0.0.1:${port}`;
    fs.copyFileSync(RULES, path.join(promDir, 'koi-alerts.yml'));
    const targets = [...httpPorts.values()].map((p) => `'127.0.0.1:${p}'`).join(', ');
    fs.writeFileSync(path.join(promDir, 'prometheus.yml'), `global:
  scrape_interval: 1s
  scrape_timeout: 900ms
  evaluation_interval: 1s
rule_files: [koi-alerts.yml]
scrape_configs:
  - job_name: koi
    static_configs:
      - targets: [${targets}]
`);
    prometheus = spawn(PROMETHEUS!, [
      `--config.file=${path.join(promDir, 'prometheus.yml')}`, `--storage.tsdb.path=${path.join(promDir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn',
    ], { stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (c: Buffer) => promLog.push(...c.toString().split('\n').filter(Boolean));
    prometheus.stdout!.on('data', keep);
    prometheus.stderr!.on('data', keep);
    const child = prometheus;
    exited = new Promise((resolve) => child.once('exit', () => resolve()));
    await cluster.waitFor('prometheus ready', async () => ((await fetch(`${api}/-/ready`).catch(() => null))?.ok ? true : undefined), 30_000);
  });

  afterAll(async () => {
    if (prometheus?.pid !== undefined && prometheus.exitCode === null && prometheus.signalCode === null) {
      process.kill(prometheus.pid, 'SIGTERM');
      const timer = setTimeout(() => prometheus?.pid !== undefined && process.kill(prometheus.pid, 'SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    if (promDir) fs.rmSync(promDir, { recursive: true, force: true });
  });

  interface Sample { metric: Record<string, string>; value: [number, string] }
  async function query(expr: string): Promise<Sample[]> {
    const res = await fetch(`${api}/api/v1/query?query=${encodeURIComponent(expr)}`);
    const body = (await res.json()) as { status: string; error?: string; data: { result: Sample[] } };
    if (body.status !== 'success') throw new Error(`prometheus query ${expr}: ${body.error}`);
    return body.data.result;
  }
  const nodeAt = (instance: string): string => [...httpPorts].find(([, p]) => instance === `127.0.0.1:${p}`)![0];

  test('Prometheus scrapes all three nodes, sees the master, then finds the master change after a SIGKILL', async () => {
    const view = await cluster.waitForMaster();
    const victim = view.master.name;
    // Every node scraped and exactly one master, which is the one koi status names.
    const before = await cluster.waitFor('prometheus sees three nodes up and one master', async () => {
      const up = await query('up{job="koi"} == 1');
      const masters = await query('koi_master == 1');
      return up.length === 3 && masters.length === 1 ? masters : undefined;
    }, 30_000);
    expect(nodeAt(before[0].metric.instance)).toBe(victim);
    const leaders = await query('koi_leader == 1');
    expect(leaders.map((s) => nodeAt(s.metric.instance))).toEqual([view.leader.name]);
    const counts = await query('koi_cluster_nodes{state="Slave"}');
    expect(counts.map((s) => s.value[1])).toEqual(['2']);

    cluster.signal(victim, 'SIGKILL');
    const after = await cluster.waitFor('prometheus sees another master', async () => {
      const masters = await query('koi_master == 1');
      return masters.length === 1 && nodeAt(masters[0].metric.instance) !== victim ? masters : undefined;
    }, 40_000);
    const successor = nodeAt(after[0].metric.instance);
    const koiView = await cluster.waitForMaster((v) => v.master.name !== victim);
    expect(successor).toBe(koiView.master.name);
    // The change as Prometheus recorded it: the victim's target down, the move counted, the successor promoted.
    await cluster.waitFor('prometheus has the victim down and the failover counted', async () => {
      const down = await query('up{job="koi"} == 0');
      const moved = await query('max(koi_failovers_total) >= 1');
      const promoted = await query(`koi_promotions_total{instance="127.0.0.1:${httpPorts.get(successor)}"} >= 1`);
      return down.length === 1 && nodeAt(down[0].metric.instance) === victim && moved.length === 1 && promoted.length === 1 ? true : undefined;
    }, 20_000);
    // Over the window, the victim was master before the successor: the master change in the time series.
    const range = await query('max_over_time(koi_master[2m])');
    const wasMaster = range.filter((s) => s.value[1] === '1').map((s) => nodeAt(s.metric.instance)).sort();
    expect(wasMaster).toEqual([victim, successor].sort());
    // The shipped rules load and evaluate without errors against real koi series.
    const rules = (await (await fetch(`${api}/api/v1/rules`)).json()) as { data: { groups: Array<{ rules: Array<{ name: string; health: string; lastError?: string }> }> } };
    const loaded = rules.data.groups.flatMap((g) => g.rules);
    expect(loaded.map((r) => r.name)).toEqual(['KoiMasterMissing', 'KoiQuorumLost', 'KoiFrequentFailovers', 'KoiRunnerFailed', 'KoiNodeDown']);
    await cluster.waitFor('every rule evaluated healthy', async () => {
      const now = ((await (await fetch(`${api}/api/v1/rules`)).json()) as typeof rules).data.groups.flatMap((g) => g.rules);
      return now.every((r) => r.health === 'ok') ? true : undefined;
    }, 10_000);
  });

  test('promtool check metrics passes on /metrics of a running node', async () => {
    const node = cluster.runningNodes()[0];
    await cluster.waitForMaster();
    const text = await (await fetch(url(node, '/metrics'))).text();
    expect(text).toMatch(/^koi_master [01]$/m);
    const check = spawnSync(PROMTOOL!, ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(`${check.stdout}${check.stderr}`).toBe('');
    expect(check.status).toBe(0);
  });

  test('promtool check rules passes on the shipped alert rules, and docs/observability.md shows that same file', () => {
    const check = spawnSync(PROMTOOL!, ['check', 'rules', RULES], { encoding: 'utf8' });
    expect(check.stdout).toContain('SUCCESS: 5 rules found');
    expect(check.status).toBe(0);
    const doc = fs.readFileSync(DOC, 'utf8');
    const block = /```yaml\n(# Alert rules for koi[\s\S]*?)```/.exec(doc);
    expect(block?.[1]).toBe(fs.readFileSync(RULES, 'utf8'));
  });
});

void sleep;
