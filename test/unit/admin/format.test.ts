import {
  flagLetters, formatClusterStatus, formatDocument, formatDuration, formatFailures, formatLocalStatus, formatTree, visibleWidth,
} from '../../../core/admin/format';
import { parseAdminDocument } from '../../../core/admin/schema';
import type { ClusterStatus } from '../../../core/admin/schema';
import { threeNodes } from './fake-backend';

const ESC = '\u001b[';

function cluster(): ClusterStatus {
  const { a } = threeNodes();
  const status = a.clusterStatus();
  if (!status) throw new Error('alpha should be leader');
  status.nodes[2].state = 'Failed';
  status.nodes[2].flags = ['Elector', 'Runner', 'Failed'];
  status.nodes[2].failCount = 2;
  status.nodes[2].lastFailure = { agoMs: 75_000, reason: 'service 99-app: status exited 1' };
  return status;
}

describe('formatDuration', () => {
  it.each([
    [0, '0.0s'], [400, '0.4s'], [9_999, '9.9s'], [12_000, '12s'], [303_000, '5m 3s'],
    [7_500_000, '2h 5m'], [3 * 86_400_000 + 4 * 3_600_000, '3d 4h'], [-1, '-'],
  ])('%d ms → %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe('status table', () => {
  it('has a summary, a header and one aligned row per node', () => {
    const text = formatClusterStatus(cluster());
    const lines = text.split('\n');
    expect(lines[0]).toBe('Cluster 13: leader alpha, master bravo');
    expect(lines[1]).toContain('Maintenance: off');
    expect(lines[1]).toContain('Quorum: 4 seen, 2 needed (has quorum)');
    const header = lines.find((l) => l.startsWith('NODE'));
    expect(header).toBeDefined();
    const rows = lines.filter((l) => /^(alpha|bravo|charlie|echo)\s/.test(l));
    expect(rows).toHaveLength(4);
    const col = header!.indexOf('STATE');
    for (const row of rows) expect(row.slice(col)).toMatch(/^(Slave|Master|Failed|Elector)\s/);
    const charlie = rows.find((r) => r.startsWith('charlie'))!;
    expect(charlie).toContain('ER-F');
    expect(charlie).toContain('[::1]:42003');
    expect(charlie).toContain('2 (1m 15s ago)');
    expect(rows.find((r) => r.startsWith('alpha'))).toContain('self');
    expect(text).not.toContain(ESC);
  });

  it('shows maintenance and manual master mode loudly', () => {
    const status = { ...cluster(), maintenance: true, manualMaster: true, master: null };
    const text = formatClusterStatus(status);
    expect(text).toContain('master none');
    expect(text).toContain('Maintenance: ON');
    expect(text).toContain('Manual master: ON');
  });

  it('says why a named master is not promoted yet (status and tree)', () => {
    const status = { ...cluster(), masterPending: { code: 'awaiting-report', message: 'runner charlie is heard again but has not reported yet (it may still be demoting)' } };
    const lines = formatClusterStatus(status).split('\n');
    expect(lines[0]).toBe('Cluster 13: leader alpha, master bravo');
    expect(lines[1]).toBe('Master not promoted yet: runner charlie is heard again but has not reported yet (it may still be demoting)');
    expect(formatTree(status).split('\n')[0]).toContain('master bravo, not promoted yet: runner charlie is heard again');
    expect(formatClusterStatus(cluster())).not.toContain('not promoted');
  });

  it('colours states only when asked, keeping the columns aligned', () => {
    const plain = formatClusterStatus(cluster()).split('\n');
    const coloured = formatClusterStatus(cluster(), { color: true }).split('\n');
    expect(coloured.join('\n')).toContain(`${ESC}1m${ESC}31mFailed`);
    expect(coloured.map(visibleWidth)).toEqual(plain.map((l) => l.length));
  });
});

describe('tree', () => {
  it('draws cluster → nodes → services', () => {
    const text = formatTree(cluster());
    expect(text).toMatchInlineSnapshot(`
"cluster 13 (leader alpha, master bravo)
├── alpha  Slave  [leader]  127.0.0.1:42001
│   └── 10-vip  Started
├── bravo  Master  127.0.0.1:42002
│   └── 10-vip  Promoted
├── charlie  Failed  [::1]:42003
│   ├── 10-vip  Started
│   └── last failure 1m 15s ago: service 99-app: status exited 1
└── echo  Elector  [elector only]  127.0.0.1:42004"
`);
  });

  it('is coloured with color on', () => {
    expect(formatTree(cluster(), { color: true })).toContain(`${ESC}1m${ESC}32mMaster`);
  });
});

describe('local, failures, documents', () => {
  it('formats a local status', () => {
    const { b } = threeNodes();
    const text = formatLocalStatus(b.localStatus());
    expect(text.split('\n')[0]).toBe(`bravo  ${b.spec.id}`);
    expect(text).toContain('state:       Master (Active), target Start');
    expect(text).toContain('roles:       elector, runner; election mode servant');
    expect(text).toContain('leader:      alpha');
    expect(text).toContain('uptime:      1m 5s');
    expect(text).toMatch(/99-app\s+Started/);
  });

  it('formats failures newest first as given, with time, node and reason', () => {
    expect(formatFailures([])).toBe('no failures recorded');
    const at = new Date(2026, 0, 2, 3, 4, 5).getTime();
    const text = formatFailures([
      { atMs: at, agoMs: 5_000, node: { id: 'x', name: 'charlie' }, reason: 'service 99-app: status exited 1' },
      { atMs: at - 60_000, agoMs: 65_000, node: { id: 'y', name: 'bravo' }, reason: 'service 10-vip: start timed out' },
    ]);
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^TIME\s+AGO\s+NODE\s+REASON$/);
    expect(lines[1]).toMatch(/^2026-01-02 03:04:05\s+5\.0s ago\s+charlie\s+service 99-app: status exited 1$/);
    expect(lines[2]).toMatch(/^2026-01-02 03:03:05\s+1m 5s ago\s+bravo\s+service 10-vip: start timed out$/);
  });

  it('renders error documents with known nodes and usage', () => {
    const text = formatDocument({ schema: 1, type: 'error', command: 'status', exitCode: 1, error: "unknown node 'x'", knownNodes: ['a', 'b'] }, 'status');
    expect(text).toBe("error: unknown node 'x'\nknown nodes: a, b");
  });

  it('flag letters are fixed-position', () => {
    expect(flagLetters(['Runner', 'Elector'])).toBe('ER--');
    expect(flagLetters([])).toBe('----');
  });

  it('parseAdminDocument accepts schema 1 only', () => {
    expect(parseAdminDocument('')).toBeNull();
    expect(parseAdminDocument('not json')).toBeNull();
    expect(parseAdminDocument('{"schema":2,"type":"local"}')).toBeNull();
    expect(parseAdminDocument('{"schema":1,"type":"weird"}')).toBeNull();
    expect(parseAdminDocument('[1]')).toBeNull();
    expect(parseAdminDocument('{"schema":1,"type":"failures","failures":[]}')).toEqual({ schema: 1, type: 'failures', failures: [] });
  });
});

describe('control characters from names and reasons never reach the terminal', () => {
  const evil = 'ev\u001b[2Jil\u0007';
  it('status, tree, local and failures escape them (plain and coloured)', () => {
    const status = cluster();
    status.nodes[1].name = evil;
    status.nodes[1].services = [{ name: `svc${evil}`, state: 'Started' }];
    status.nodes[2].lastFailure = { agoMs: 1000, reason: `bad\r\nFAKE LINE ${evil}` };
    for (const text of [formatClusterStatus(status), formatTree(status)]) {
      expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f]/);
      expect(text).toContain('ev\\x1b[2Jil\\x07');
    }
    const coloured = formatClusterStatus(status, { color: true });
    expect(coloured.replace(/\u001b\[[0-9;]*m/g, '')).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/);
    expect(coloured).not.toContain('\u001b[2J');
    expect(formatTree(status)).toContain('bad\\r\\nFAKE LINE');
    const { b } = threeNodes();
    const local = b.localStatus();
    local.name = evil;
    expect(formatLocalStatus(local)).toContain('ev\\x1b[2Jil\\x07');
    expect(formatFailures([{ atMs: 0, agoMs: 5, node: { id: 'x', name: evil }, reason: evil }])).not.toContain('\u001b');
  });
});
