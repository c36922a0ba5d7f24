import { parseKoiConf, type ConfSection, type ConfValue } from '../../../core/config/koi-conf-parser';

const section = (parent: ConfSection, name: string): ConfSection => {
  const found = parent.entries.find((e) => e.kind === 'section' && e.name === name);
  if (!found || found.kind !== 'section') throw new Error(`no section ${name}`);
  return found;
};
const value = (parent: ConfSection, key: string): ConfValue => {
  const found = parent.entries.find((e) => e.kind === 'value' && e.key === key);
  if (!found || found.kind !== 'value') throw new Error(`no key ${key}`);
  return found;
};

describe('koi.conf parser: syntax forms', () => {
  const text = [
    '; leading comment',                              // 1
    'node {',                                         // 2
    '  elector yes   ; trailing comment',             // 3
    '  runner off',                                   // 4
    '  port 42012',                                   // 5
    '  name "my node ; not a comment"',               // 6
    '}',                                              // 7
    'cluster { id 7 password "a \\"quoted\\" \\\\ pass" }', // 8
    'time',                                           // 9
    '{',                                              // 10
    '  status_interval 1.5s',                         // 11
    '  node_timeout 2m',                              // 12
    '}',                                              // 13
    'plugins {',                                      // 14
    '  "@acme/fence" { host "pdu1" outlet 4 }',       // 15
    '  "./my-plugin" {',                              // 16
    '    nested { deep value }',                      // 17
    '  }',                                            // 18
    '  example true',                                 // 19
    '  empty {}',                                     // 20
    '}',                                              // 21
  ].join('\n');
  const { root, problems } = parseKoiConf(text, 'forms.conf');

  it('parses without problems', () => {
    expect(problems).toEqual([]);
  });

  it('keeps sections, keys and their line numbers', () => {
    const node = section(root, 'node');
    expect(node.line).toBe(2);
    expect(value(node, 'elector')).toMatchObject({ line: 3, text: 'yes', scalar: { type: 'boolean', value: true } });
    expect(value(node, 'runner')).toMatchObject({ line: 4, scalar: { type: 'boolean', value: false } });
    expect(value(node, 'port')).toMatchObject({ line: 5, text: '42012', scalar: { type: 'number', value: 42012 } });
    expect(value(node, 'name')).toMatchObject({ line: 6, text: 'my node ; not a comment', quoted: true, scalar: { type: 'string' } });
  });

  it('reads a one-line section and escapes in quotes', () => {
    const cluster = section(root, 'cluster');
    expect(cluster.line).toBe(8);
    expect(value(cluster, 'id')).toMatchObject({ line: 8, text: '7' });
    expect(value(cluster, 'password').text).toBe('a "quoted" \\ pass');
  });

  it('accepts the opening brace on the next line and classifies durations', () => {
    const time = section(root, 'time');
    expect(time.line).toBe(9);
    expect(value(time, 'status_interval')).toMatchObject({ line: 11, scalar: { type: 'duration', value: 1500 } });
    expect(value(time, 'node_timeout').scalar).toEqual({ type: 'duration', value: 120_000 });
  });

  it('nests sections with quoted names', () => {
    const plugins = section(root, 'plugins');
    const fence = section(plugins, '@acme/fence');
    expect(fence.line).toBe(15);
    expect(value(fence, 'host')).toMatchObject({ text: 'pdu1', line: 15 });
    expect(value(fence, 'outlet').text).toBe('4');
    const local = section(plugins, './my-plugin');
    expect(value(section(local, 'nested'), 'deep')).toMatchObject({ text: 'value', line: 17 });
    expect(value(plugins, 'example')).toMatchObject({ line: 19, text: 'true' });
    expect(section(plugins, 'empty').entries).toEqual([]);
  });

  it('keeps words that are not durations as words (addresses)', () => {
    const { root: r } = parseKoiConf('cluster { transport 10.0.0.1 }');
    expect(value(section(r, 'cluster'), 'transport').scalar).toEqual({ type: 'word', value: '10.0.0.1' });
  });

  it('handles CRLF line endings', () => {
    const { root: r, problems: p } = parseKoiConf('node {\r\n  port 1\r\n}\r\n');
    expect(p).toEqual([]);
    expect(value(section(r, 'node'), 'port').line).toBe(2);
  });
});

describe('koi.conf parser: every syntax problem, with its line', () => {
  const lines = (text: string) => parseKoiConf(text, 'bad.conf').problems.map((p) => [p.line, p.key, p.message]);

  it('unterminated quote (the string ends at the end of its line, parsing continues)', () => {
    const problems = lines('cluster {\n  password "open\n  id 4\n}\n');
    expect(problems).toEqual([[2, '', expect.stringContaining('unterminated quote')]]);
  });

  it('unterminated section, reported at the line that opened it', () => {
    expect(lines('node {\n  port 1\ncluster {\n  id 2\n')).toEqual([
      [1, 'node', expect.stringContaining('section "node" is not closed')],
      [3, 'node.cluster', expect.stringContaining('section "cluster" is not closed')],
    ]);
  });

  it('unexpected closing brace', () => {
    expect(lines('node { port 1 }\n}\n')).toEqual([[2, '', expect.stringContaining("unexpected '}'")]]);
  });

  it('opening brace without a name', () => {
    expect(lines('node { port 1 }\n{ a b }\n')).toEqual([[2, '', expect.stringContaining("unexpected '{'")]]);
  });

  it('key without value (end of line, before a brace, at end of file)', () => {
    expect(lines('node {\n  port\n  runner }\ncluster')).toEqual([
      [2, 'node.port', expect.stringContaining('no value')],
      [3, 'node.runner', expect.stringContaining("before '}'")],
      [4, 'cluster', expect.stringContaining('no value')],
    ]);
  });

  it('value on the next line is not taken as the value', () => {
    expect(lines('node {\n  port\n  42012\n}')).toEqual([
      [2, 'node.port', expect.stringContaining('no value')],
      [3, 'node.42012', expect.stringContaining('no value')],
    ]);
  });

  it('duplicate key and duplicate section in one section, naming the first line', () => {
    expect(lines('node {\n  port 1\n  port 2\n}\nnode { runner true }\n')).toEqual([
      [3, 'node.port', 'duplicate key (first given at line 2)'],
      [5, 'node', 'duplicate key (first given at line 1)'],
    ]);
  });

  it('the same key in different sections is not a duplicate', () => {
    expect(lines('a { x 1 }\nb { x 1 }')).toEqual([]);
  });

  it('collects several problems in one pass', () => {
    const problems = lines('node {\n  port\n  name "x\n  port 3\n  port 4\n}\n}\n');
    expect(problems.map(([line]) => line)).toEqual([2, 3, 5, 7]);
  });
});
