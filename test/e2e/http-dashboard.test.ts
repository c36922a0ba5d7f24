/**
 * The http plugin's dashboard in a real browser: headless Chromium (Debian
 * `chromium`, driven by puppeteer-core) opens `/` of a node of a three-node
 * koinode cluster. The page lists the three nodes with the master; after a
 * SIGKILL of the master it shows the new master within 3 s, without a
 * reload (the event stream triggers the refresh), with the failover in its
 * event list. On a phone-sized viewport nothing overflows sideways. The
 * test saves a screenshot (KOI_DASHBOARD_SCREENSHOT=docs/dashboard.png
 * refreshes the one docs/observability.md shows). Skips with a message when
 * Chromium is missing.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { E2ECluster, REPO_ROOT, findFreePorts, writeRecordingService } from './harness';

jest.setTimeout(120_000);

// The functions given to page.evaluate/waitForFunction run in the browser; the test project has no DOM types.
declare const document: any;
declare const window: any;

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((f) => fs.existsSync(f));
const describeWithBrowser = CHROMIUM ? describe : describe.skip;
if (!CHROMIUM) console.warn('http-dashboard.test.ts skipped: no Chromium (Debian package `chromium`; .ci/run installs it)');

/**
 * The fast profile (examples/fast.conf) five times slower: a failover takes about a second, so the 3 s measure
 * the page rather than koi's timeouts, and a loaded test machine does not fail the master over falsely
 * (which the 10 ms profile does, as fast.conf warns).
 */
const TIMINGS = {
  cluster_update_interval: '50ms', elector_tick_interval: '75ms', runner_tick_interval: '75ms', state_update_interval: '75ms',
  master_dead_time: '500ms', node_timeout: '1s', master_lease: '250ms', lease_margin: '275ms', elector_startup_tolerance: '500ms',
  elector_lost_time: '1s',
};

/** How long the page may take to show the new master after the SIGKILL (issue 13). */
const SHOW_WITHIN_MS = 3000;

describeWithBrowser('dashboard in headless Chromium', () => {
  let cluster: E2ECluster;
  let browser: Browser;
  let page: Page;
  const httpPorts = new Map<string, number>();

  beforeAll(async () => {
    const ports = await findFreePorts(3);
    ['n1', 'n2', 'n3'].forEach((n, i) => httpPorts.set(n, ports[i]));
    cluster = await E2ECluster.create({
      nodes: 3, quorum: 2, statusInterval: '500ms', tag: 'koi-http-dash', time: TIMINGS,
      // The recording service, whose status check fails with two lines of output while <control>/fail-status-<node> exists.
      writeServices: (dir, node, c) => {
        writeRecordingService(dir, c.eventsFile, c.controlDir, '10-app', c.statusFile);
        fs.writeFileSync(path.join(dir, '10-app', 'status'), `#!/bin/sh\nif [ -f "${c.controlDir}/fail-status-$KOI_NODE_NAME" ]; then\n  echo "checking /srv/app on $KOI_NODE_NAME"\n  echo "error: /srv/app/data: no space left on device" >&2\n  exit 1\nfi\nexit 0\n`, { mode: 0o755 });
      },
      pluginConf: (node) => `http { listen 127.0.0.1:${httpPorts.get(node.name)} }`,
    });
    cluster.start();
    browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      // Root in a container: no sandbox; no GPU, no shared-memory limits.
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
    });
    page = await browser.newPage();
  });

  afterAll(async () => {
    // browser.close() ends Chromium and waits for its processes.
    await browser?.close();
    await cluster?.close();
  });

  const masterShown = (): Promise<string> => page.$eval('#master', (e) => e.textContent ?? '');
  const nodesShown = (): Promise<Array<{ name: string; state: string }>> =>
    page.$$eval('.node[data-node]', (cards) => cards.map((c) => ({ name: c.getAttribute('data-node') ?? '', state: c.getAttribute('data-state') ?? '' })));

  test('shows the three nodes, then the new master within 3 s of a SIGKILL, without a reload', async () => {
    const view = await cluster.waitForMaster((v) => v.nodes.filter((n) => n.state === 'Slave').length === 2 && v.nodes.some((n) => n.state === 'Master'));
    const victim = view.master.name;
    const watcher = ['n1', 'n2', 'n3'].find((n) => n !== victim)!;
    await page.setViewport({ width: 1100, height: 800 });
    await page.goto(`http://127.0.0.1:${httpPorts.get(watcher)}/`, { waitUntil: 'domcontentloaded' });
    await page.waitForFunction((name) => document.getElementById('master')?.textContent === name, { timeout: 10_000 }, victim);
    await page.waitForFunction(() => document.getElementById('conn')?.textContent === 'live', { timeout: 10_000 });
    await page.waitForFunction((name) => document.querySelector(`.node[data-node="${name}"]`)?.getAttribute('data-state') === 'Master', { timeout: 10_000 }, victim);
    const nodes = await nodesShown();
    expect(nodes.map((n) => n.name).sort()).toEqual(['n1', 'n2', 'n3']);
    expect(nodes.find((n) => n.name === victim)?.state).toBe('Master');
    // Marks the document: a reload would lose it.
    await page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));

    const killedAt = Date.now();
    cluster.signal(victim, 'SIGKILL');
    // When the node serving the page first answers /status with the new master: "a change" (issue 13: shown
    // within a second of it). A probe every 25 ms, not waiting for the last: one may hang on the dead leader.
    let changedAt = Infinity;
    const probes: Array<Promise<void>> = [];
    const prober = setInterval(() => {
      probes.push(fetch(`http://127.0.0.1:${httpPorts.get(watcher)}/status`).then((r) => r.json()).then((body: unknown) => {
        const doc = body as { master?: { name: string } | null } | null;
        if (doc?.master && doc.master.name !== victim) changedAt = Math.min(changedAt, Date.now());
      }, () => undefined));
    }, 25);
    await page.waitForFunction(
      (old) => { const m = document.getElementById('master')?.textContent; return !!m && m !== old && m !== 'none' && m !== '…'; },
      { timeout: 15_000, polling: 'mutation' }, victim,
    );
    const shownAt = Date.now();
    await cluster.waitFor('a probe sees the new master', () => (changedAt < Infinity ? true : undefined), 10_000, 25);
    clearInterval(prober);
    await Promise.all(probes);
    const successor = await masterShown();
    console.log(`dashboard on ${watcher}: master ${victim} killed, ${successor} in /status after ${changedAt - killedAt} ms, on the page after ${shownAt - killedAt} ms`);
    expect(shownAt - killedAt).toBeLessThan(SHOW_WITHIN_MS);
    // The page may even be first (its own refresh); it must not lag the change by a second.
    expect(shownAt - changedAt).toBeLessThan(1000);
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    const koiView = await cluster.waitForMaster((v) => v.master.name !== victim);
    expect(successor).toBe(koiView.master.name);
    // The event list has the master change as this node saw it (the leader records it as its election).
    await page.waitForFunction((name) => [...document.querySelectorAll('#events li[data-kind="master"], #events li[data-kind="election"]')].some((li) => li.textContent?.includes(name)),
      { timeout: 5000 }, successor).catch(async (err: Error) => {
      throw new Error(`${err.message}; events shown:\n${await page.$eval('#events', (e) => (e as { innerText: string }).innerText)}`);
    });
    await page.waitForFunction((name) => document.querySelector(`.node[data-node="${name}"]`)?.getAttribute('data-state') !== 'Master', { timeout: 10_000 }, victim);

  });

  test('a failing service shows on its node and under recent failures, with the script\'s output', async () => {
    const victimOfFailure = (await nodesShown()).find((n) => n.state === 'Slave')?.name;
    expect(victimOfFailure).toBeDefined();
    cluster.control(`fail-status-${victimOfFailure}`, '');
    await page.waitForFunction((name) => document.querySelector(`.node[data-node="${name}"]`)?.getAttribute('data-state') === 'Failed', { timeout: 15_000 }, victimOfFailure);
    await page.waitForFunction(() => document.getElementById('failures')?.textContent?.includes('no space left on device'), { timeout: 10_000 });
    const failures = await page.$eval('#failures', (e) => (e as { innerText: string }).innerText);
    expect(failures).toContain(victimOfFailure);
    expect(failures).toMatch(/status/);
    expect(failures).toContain('error: /srv/app/data: no space left on device');
    const shot = process.env.KOI_DASHBOARD_SCREENSHOT
      ? path.resolve(REPO_ROOT, process.env.KOI_DASHBOARD_SCREENSHOT)
      : path.join(os.tmpdir(), 'koi-dashboard.png');
    await page.screenshot({ path: shot as `${string}.png`, fullPage: true });
    console.log(`dashboard screenshot: ${shot}`);
    expect(fs.statSync(shot).size).toBeGreaterThan(10_000);
  });

  test('readable on a phone: nothing wider than the screen, the node cards stacked', async () => {
    await page.setViewport({ width: 390, height: 844, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    await page.reload({ waitUntil: 'domcontentloaded' });
    await page.waitForFunction(() => document.querySelectorAll('.node[data-node]').length >= 3, { timeout: 10_000 });
    const layout = await page.evaluate(() => ({
      scrollWidth: document.documentElement.scrollWidth,
      innerWidth: window.innerWidth,
      lefts: [...document.querySelectorAll('.node[data-node]')].map((c) => Math.round(c.getBoundingClientRect().left)),
    }));
    await page.screenshot({ path: path.join(os.tmpdir(), 'koi-dashboard-phone.png') as `${string}.png`, fullPage: true });
    expect(layout.scrollWidth).toBeLessThanOrEqual(layout.innerWidth);
    expect(new Set(layout.lefts).size).toBe(1);
  });
});
