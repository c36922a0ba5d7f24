/**
 * The dashboard page at `/`: one self-contained HTML document (inline CSS
 * and script, no CDN, no build step). It reads /status and /failures, and
 * follows /events: every event (and every 5 s regardless) it reads /status
 * again, so a change shows within a second. Relative URLs, so it also
 * works behind a reverse proxy under a path prefix.
 */
export const DASHBOARD_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>koi cluster</title>
<style>
:root { --bg:#f5f6f8; --card:#fff; --text:#1d2330; --muted:#667085; --line:#e3e6eb;
  --ok:#1a7f37; --master:#0b57d0; --warn:#b26a00; --bad:#c62828; --off:#8a8f98; }
@media (prefers-color-scheme: dark) { :root { --bg:#12151b; --card:#1b2029; --text:#e6e8ec; --muted:#98a2b3; --line:#2b313c; } }
* { box-sizing: border-box; }
body { margin:0; font:15px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif; background:var(--bg); color:var(--text); }
header { padding:12px 16px; background:var(--card); border-bottom:1px solid var(--line); display:flex; flex-wrap:wrap; gap:8px 20px; align-items:baseline; }
header h1 { font-size:18px; margin:0 8px 0 0; }
main { padding:12px 16px; max-width:1200px; margin:0 auto; }
.kv { color:var(--muted); } .kv b { color:var(--text); }
.grid { display:grid; grid-template-columns:repeat(auto-fill,minmax(260px,1fr)); gap:12px; }
.card { background:var(--card); border:1px solid var(--line); border-radius:8px; padding:10px 12px; }
.node h2 { font-size:16px; margin:0 0 4px; display:flex; gap:6px; align-items:center; flex-wrap:wrap; }
.badge { display:inline-block; padding:1px 7px; border-radius:10px; font-size:12px; font-weight:600; color:#fff; background:var(--off); }
.s-Master,.s-Promoted { background:var(--master); } .s-Slave,.s-Started,.s-Live { background:var(--ok); }
.s-Failed,.s-Failing { background:var(--bad); } .s-Disconnected,.s-Offline { background:var(--off); }
.s-Stopped,.s-Stopping,.s-Starting,.s-Promoting,.s-Demoting { background:var(--warn); }
.s-Elector,.s-Other { background:#6b4fbb; }
.tag { font-size:11px; border:1px solid var(--line); border-radius:4px; padding:0 5px; color:var(--muted); }
.meta { color:var(--muted); font-size:13px; }
ul.svc { list-style:none; padding:0; margin:6px 0 0; } ul.svc li { display:flex; justify-content:space-between; gap:8px; padding:2px 0; border-top:1px dashed var(--line); }
section { margin-top:18px; } section > h3 { font-size:15px; margin:0 0 8px; }
pre { margin:6px 0 0; padding:6px; background:var(--bg); border-radius:4px; white-space:pre-wrap; word-break:break-word; font-size:12px; }
#events { list-style:none; padding:0; margin:0; font-size:13px; } #events li { padding:4px 0; border-top:1px solid var(--line); }
#events time { color:var(--muted); margin-right:6px; font-variant-numeric:tabular-nums; }
.alert { background:#fff4e5; color:#663c00; border:1px solid #f0c27b; border-radius:8px; padding:8px 12px; margin-bottom:12px; }
@media (prefers-color-scheme: dark) { .alert { background:#3a2a10; color:#ffd8a8; border-color:#7a5a20; } }
#conn.live { color:var(--ok); } #conn.down { color:var(--bad); }
@media (max-width:520px) { header { padding:10px; } main { padding:10px; } .grid { grid-template-columns:1fr; } }
</style>
</head>
<body>
<header>
  <h1>koi <span id="cluster" class="kv"></span></h1>
  <span class="kv">master <b id="master">…</b></span>
  <span class="kv">leader <b id="leader">…</b></span>
  <span class="kv">quorum <b id="quorum">…</b></span>
  <span class="kv" id="maintenance" hidden><b>maintenance</b></span>
  <span class="kv">updated <b id="updated">never</b></span>
  <span id="conn" class="kv">connecting…</span>
</header>
<main>
  <div id="problem" class="alert" hidden></div>
  <div id="nomaster" class="alert" hidden></div>
  <div id="nodes" class="grid"></div>
  <section><h3>Recent failures</h3><div id="failures" class="meta">none</div></section>
  <section><h3>Events <span class="meta">(as the node serving this page saw them)</span></h3><ul id="events"><li class="meta" id="noevents">none yet</li></ul></section>
</main>
<script>
"use strict";
const $ = (id) => document.getElementById(id);
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) { if (v !== undefined && v !== null) e.setAttribute(k, v); }
  for (const c of children) { if (c !== null && c !== undefined) e.append(c instanceof Node ? c : String(c)); }
  return e;
}
function ago(ms) {
  if (ms === null || ms === undefined) return '?';
  const s = ms / 1000;
  if (s < 1) return 'now';
  if (s < 90) return Math.round(s) + ' s ago';
  if (s < 5400) return Math.round(s / 60) + ' min ago';
  return Math.round(s / 3600) + ' h ago';
}
function duration(ms) {
  if (ms === null || ms === undefined) return '';
  const s = Math.round(ms / 1000);
  if (s < 120) return s + ' s';
  if (s < 7200) return Math.round(s / 60) + ' min';
  return Math.round(s / 3600) + ' h';
}
const badge = (state) => el('span', { class: 'badge s-' + state }, state);

function renderStatus(doc) {
  if (!doc || doc.type !== 'cluster') {
    $('problem').hidden = false;
    $('problem').textContent = 'No cluster status: ' + (doc && doc.error ? doc.error : 'no answer') + ' (retrying)';
    return;
  }
  $('problem').hidden = true;
  $('cluster').textContent = 'cluster ' + doc.clusterId;
  $('master').textContent = doc.master ? doc.master.name : 'none';
  $('leader').textContent = doc.leader ? doc.leader.name : 'none';
  $('quorum').textContent = doc.quorum.configured > 0
    ? doc.quorum.seen + ' seen, ' + doc.quorum.configured + ' needed' + (doc.quorum.has ? '' : ' (LOST)')
    : 'off (' + doc.quorum.seen + ' electors)';
  $('maintenance').hidden = !doc.maintenance;
  $('updated').textContent = new Date().toLocaleTimeString();
  const nm = $('nomaster');
  nm.hidden = !!doc.master;
  if (doc.noMaster) {
    nm.replaceChildren(el('b', {}, 'No master: '), doc.noMaster.message,
      ...doc.noMaster.runners.map((r) => el('div', { class: 'meta' }, r.node.name + ': ' + r.reason)));
  }
  const cards = doc.nodes.map((n) => {
    const isMaster = doc.master && doc.master.id === n.id;
    const isLeader = doc.leader && doc.leader.id === n.id;
    const title = el('h2', {}, n.name, badge(n.state),
      isMaster ? el('span', { class: 'tag' }, 'master') : null,
      isLeader ? el('span', { class: 'tag' }, 'leader') : null,
      n.mode === 'Passive' ? el('span', { class: 'tag' }, 'passive') : null);
    const roles = [n.roles.elector ? 'elector' : '', n.roles.runner ? 'runner' : ''].filter(Boolean).join(' + ') || 'neither';
    const meta = el('div', { class: 'meta' }, (n.address || 'no address') + ' · ' + roles);
    const seen = el('div', { class: 'meta' }, 'last seen ' + ago(n.lastSeenAgoMs) + (n.uptimeMs !== null ? ' · up ' + duration(n.uptimeMs) : '')
      + (n.failCount ? ' · ' + n.failCount + ' failure' + (n.failCount === 1 ? '' : 's') : ''));
    const services = el('ul', { class: 'svc' }, ...n.services.map((s) =>
      el('li', {}, el('span', {}, s.name + (s.disabled ? ' (disabled)' : '')), badge(s.state))));
    const failure = n.lastFailure ? el('div', { class: 'meta' }, 'last failure ' + ago(n.lastFailure.agoMs) + ': ' + n.lastFailure.reason) : null;
    return el('div', { class: 'card node', 'data-node': n.name, 'data-state': n.state }, title, meta, seen,
      n.servicesStale ? el('div', { class: 'meta' }, 'services as last reported') : null, services, failure);
  });
  if (doc.unheard && doc.unheard.length) {
    cards.push(el('div', { class: 'card node-unheard' }, el('h2', {}, 'never heard'), el('div', { class: 'meta' }, doc.unheard.join(', '))));
  }
  $('nodes').replaceChildren(...cards);
}

function renderFailures(doc) {
  if (!doc || doc.type !== 'failures') return;
  if (doc.failures.length === 0) { $('failures').replaceChildren('none'); return; }
  $('failures').replaceChildren(...doc.failures.slice(0, 10).map((f) => el('div', { class: 'card', style: 'margin-bottom:8px' },
    el('div', {}, el('b', {}, f.node.name), ' ', el('span', { class: 'meta' }, ago(f.agoMs)), ': ', f.reason),
    f.output && f.output.length ? el('pre', {}, f.output.join('\\n')) : null)));
}

// A refresh may hang while the node waits for a leader that just died; later ones do not wait for it,
// and an answer older than the one shown is dropped.
let pending = null;
let inflight = 0;
let again = false;
let issued = 0;
let shown = 0;
async function refresh() {
  if (inflight >= 3) { again = true; return; }
  const id = ++issued;
  inflight++;
  try {
    const [status, failures] = await Promise.all([
      fetch('status', { cache: 'no-store' }).then((r) => r.json()).catch(() => null),
      fetch('failures', { cache: 'no-store' }).then((r) => r.json()).catch(() => null),
    ]);
    if (id > shown && !(status === null && shown > 0 && id < issued)) {
      shown = id;
      renderStatus(status);
      renderFailures(failures);
    }
  } finally {
    inflight--;
    if (again) { again = false; schedule(0); }
  }
}
function schedule(ms) {
  if (pending !== null) return;
  pending = setTimeout(() => { pending = null; refresh(); }, ms);
}

function addEvent(ev) {
  $('noevents')?.remove();
  const list = $('events');
  const t = new Date(ev.time);
  list.prepend(el('li', { 'data-kind': ev.kind }, el('time', { datetime: t.toISOString() }, t.toLocaleTimeString()),
    el('span', { class: 'tag' }, ev.kind), ' ', ev.message));
  while (list.children.length > 100) list.lastChild.remove();
}

function follow() {
  const source = new EventSource('events');
  source.onopen = () => { $('conn').textContent = 'live'; $('conn').className = 'kv live'; schedule(0); };
  source.onerror = () => { $('conn').textContent = 'reconnecting…'; $('conn').className = 'kv down'; };
  source.onmessage = (m) => onEvent(m);
  for (const kind of ['election','leader','master','state','service','failure','membership','config','admin','failover-halt','fence','node']) {
    source.addEventListener(kind, (m) => onEvent(m));
  }
}
function onEvent(m) {
  try { addEvent(JSON.parse(m.data)); } catch (e) { /* not an event */ }
  schedule(50);
}

refresh();
follow();
setInterval(() => schedule(0), 5000);
</script>
</body>
</html>
`;
