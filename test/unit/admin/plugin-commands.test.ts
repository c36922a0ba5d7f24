/**
 * Admin commands of plugins (issue 17 items 3 and 5): a throwing tap is a
 * plugin failure (exit 1, plugin named), not "unknown command"; declared
 * commands are listed (unknown-command answer, `koi commands`), routed as
 * declared (here / leader / every node), and read-only ones pass read-only
 * network admin.
 */
import type { DeclaredCommand } from '../../../core/admin/commands';
import { parseAllowList } from '../../../core/admin/policy';
import { parseAdminDocument } from '../../../core/admin/schema';
import type { AdminDocument } from '../../../core/admin/schema';
import { hooksForPlugin } from '../../../core/hooks';
import type { AdminResponse } from '../../../plugin-api';
import { type FakeBackend, request, threeNodes } from './fake-backend';

function doc(response: AdminResponse): AdminDocument {
  const parsed = parseAdminDocument(response.json);
  if (parsed === null) throw new Error(`not a document: ${response.json}`);
  return parsed;
}

const declare = (over: Partial<DeclaredCommand> & { name: string }): DeclaredCommand =>
  ({ usage: '', summary: `the ${over.name} command`, readOnly: false, runs: 'here', plugin: 'acc', ...over });

/** Plugin `acc` on `node` answers `name` with its node's name. */
function answerWithName(node: FakeBackend, name: string): void {
  hooksForPlugin(node.hooks, { plugin: 'acc', timeoutMs: 0 }).onAdminCommand.tapPromise('acc-tap', async (call) =>
    (call.command === name ? { exitCode: 0, text: `${name} on ${node.spec.name}`, json: { node: node.spec.name } } : undefined));
}

describe('a plugin command whose tap throws', () => {
  it('answers exit 1 naming the loaded plugin and its error, not exit 2 unknown command', async () => {
    const { a } = threeNodes();
    hooksForPlugin(a.hooks, { plugin: 'acc', timeoutMs: 0 }).onAdminCommand.tapPromise('self-given-name', async (call) => {
      if (call.command === 'acc-report') throw new Error('database unreachable');
      return undefined;
    });
    const res = await a.ask(request('acc-report'));
    expect(res.exitCode).toBe(1);
    expect(res.text).toBe("error: 'acc-report' was not answered: plugin acc failed: database unreachable");
    expect(a.log.find('error', 'plugin acc failed in onAdminCommand: database unreachable')).toHaveLength(1);
  });

  it('a tap that throws does not hide another plugin\'s answer', async () => {
    const { a } = threeNodes();
    hooksForPlugin(a.hooks, { plugin: 'broken', timeoutMs: 0 }).onAdminCommand.tapPromise('b', async () => {
      throw new Error('boom');
    });
    answerWithName(a, 'hello');
    expect(await a.ask(request('hello'))).toMatchObject({ exitCode: 0, text: 'hello on alpha' });
  });

  it('a declared command nobody answers is the plugin\'s failure (exit 1), an undeclared one unknown (exit 2)', async () => {
    const { a } = threeNodes();
    a.declared = [declare({ name: 'acc-report' })];
    expect((await a.ask(request('acc-report'))).text).toBe("error: plugin acc declares 'acc-report' but did not answer it");
    const unknown = await a.ask(request('frobnicate'));
    expect(unknown.exitCode).toBe(2);
    expect(unknown.text).toMatch(/unknown command 'frobnicate'; commands: local, .*, commands, acc-report$/m);
  });
});

describe('declared plugin commands', () => {
  it('`commands` lists the built-ins and the plugin commands with their plugin', async () => {
    const { c } = threeNodes();
    c.declared = [declare({ name: 'acc-report', usage: '[DAYS]', summary: 'accounting report', readOnly: true })];
    const res = await c.ask(request('commands'));
    expect(res.exitCode).toBe(0);
    const list = doc(res);
    if (list.type !== 'commands') throw new Error(list.type);
    expect(list.commands.find((x) => x.name === 'acc-report')).toEqual({ name: 'acc-report', usage: '[DAYS]', summary: 'accounting report', readOnly: true, runs: 'here', plugin: 'acc' });
    expect(list.commands.find((x) => x.name === 'promote')).toMatchObject({ readOnly: false, runs: 'leader' });
    expect(res.text).toMatch(/^ {2}acc-report \[DAYS\] +accounting report \(plugin acc, read-only\)$/m);
  });

  it('read-only commands pass read-only network admin; others are refused', async () => {
    const { a } = threeNodes();
    a.policy = { networkAdmin: 'read-only', allow: parseAllowList('') };
    a.declared = [declare({ name: 'acc-show', readOnly: true }), declare({ name: 'acc-reset' })];
    answerWithName(a, 'acc-show');
    answerWithName(a, 'acc-reset');
    expect(await a.ask(request('acc-show'), '127.0.0.1:50000')).toMatchObject({ exitCode: 0, text: 'acc-show on alpha' });
    const refused = await a.ask(request('acc-reset'), '127.0.0.1:50000');
    expect(refused.exitCode).toBe(1);
    expect(refused.text).toContain("'acc-reset' changes the cluster and network admin is read-only");
  });

  it('runs: leader — asked of a follower, answered by the leader', async () => {
    const { a, c } = threeNodes();
    for (const n of [a, c]) {
      n.declared = [declare({ name: 'acc-total', runs: 'leader', readOnly: true })];
      answerWithName(n, 'acc-total');
    }
    expect(await c.ask(request('acc-total'))).toMatchObject({ exitCode: 0, text: 'acc-total on alpha' });
    expect(c.forwarded.map((f) => f.address)).toEqual([a.spec.address]);
  });

  it('runs: every — each node answers, one section per node, the worst exit code', async () => {
    const { cluster, a, b, c, e } = threeNodes();
    for (const n of [a, b, c, e]) {
      n.declared = [declare({ name: 'acc-roles', runs: 'every', readOnly: true })];
      if (n !== e) answerWithName(n, 'acc-roles');
    }
    cluster.unreachable.clear();
    const res = await b.ask(request('acc-roles'));
    expect(res.text.split('\n')).toEqual([
      'alpha: acc-roles on alpha', 'bravo: acc-roles on bravo', 'charlie: acc-roles on charlie',
      "echo: error: plugin acc declares 'acc-roles' but did not answer it",
    ]);
    expect(res.exitCode).toBe(1);
    const answer = doc(res);
    if (answer.type !== 'plugin') throw new Error(answer.type);
    expect((answer.data as { nodes: Array<{ node: string; exitCode: number }> }).nodes.map((n) => `${n.node}:${n.exitCode}`))
      .toEqual(['alpha:0', 'bravo:0', 'charlie:0', 'echo:1']);
  });
});
