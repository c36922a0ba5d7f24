import { promises as fs, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CONFIG_SCHEMA, SECTION_NAMES } from '../../../core/config/schema';
import { defaultConfig } from '../../../core/config/defaults';
import { renderConfigReference } from '../../../core/config/describe';
import { loadConfig } from '../../../core/config/loader';
import { parseKoiConf } from '../../../core/config/koi-conf-parser';
import { TIME_DEFAULTS, TIMING_DEFAULTS } from '../../../core/config/timing-defaults';
import { GENERATED_DOC_BLOCKS, replaceGeneratedBlock } from '../../../core/config/describe';

const ROOT = path.resolve(__dirname, '../../..');

describe('schema', () => {
  it('has exactly the keys of KoiConfig, section by section', () => {
    const config = defaultConfig();
    for (const section of SECTION_NAMES) {
      const schemaKeys = CONFIG_SCHEMA.filter((spec) => spec.section === section).map((spec) => spec.key).sort();
      expect(schemaKeys).toEqual(Object.keys(config[section]).sort());
    }
    expect(CONFIG_SCHEMA.filter((s) => s.section === 'time').map((s) => s.key).sort()).toEqual(Object.keys(TIME_DEFAULTS).sort());
  });

  it('every key has a description and an example that is itself a valid setting', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'koi-schema-'));
    // The key_file example names a key file beside the config: a private one with one key.
    await fs.writeFile(path.join(dir, 'cluster.key'), `1 ${Buffer.alloc(32, 7).toString('base64')}\n`, { mode: 0o600 });
    try {
      for (const spec of CONFIG_SCHEMA) {
        expect(spec.description.length).toBeGreaterThan(10);
        const file = path.join(dir, `${spec.path}.conf`);
        await fs.writeFile(file, `${spec.section} {\n  ${spec.example}\n}\n`);
        const { origins } = await loadConfig({ files: [file], cwd: dir });
        expect(origins[spec.path]).toEqual({ file, line: 2 });
      }
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});

describe('docs/configuration.md', () => {
  const doc = readFileSync(path.join(ROOT, 'docs/configuration.md'), 'utf8');
  const block = /<!-- BEGIN GENERATED: config-reference[^>]*-->\n([\s\S]*?)\n<!-- END GENERATED: config-reference -->/.exec(doc)?.[1];

  it('embeds the reference generated from the schema (regenerate: see core/config/describe.ts)', () => {
    expect(block).toBeDefined();
    // Time defaults included: a retune of timing-defaults.ts must regenerate the doc.
    expect(block).toBe(renderConfigReference().replace(/\n$/, ''));
  });

  it('every generated block (configuration reference, architecture.md timing table) is up to date: npm run docs:gen', () => {
    for (const block of GENERATED_DOC_BLOCKS) {
      const text = readFileSync(path.join(ROOT, block.file), 'utf8');
      expect({ file: block.file, text: replaceGeneratedBlock(text, block.name, block.render()) }).toEqual({ file: block.file, text });
    }
  });

  it('each time key says what its default trades, in the schema and in architecture.md', () => {
    const architecture = readFileSync(path.join(ROOT, 'docs/architecture.md'), 'utf8');
    for (const [key, row] of Object.entries(TIMING_DEFAULTS)) {
      expect(row.trades.length).toBeGreaterThan(10);
      expect(CONFIG_SCHEMA.find((spec) => spec.path === `time.${key}`)?.description).toContain(row.trades);
      expect(architecture).toContain(`| \`${key}\` | `);
    }
  });

  it('lists every time key', () => {
    for (const key of Object.keys(TIME_DEFAULTS)) expect(block).toContain(`| \`time.${key}\` |`);
  });
});

describe('examples/koi.conf', () => {
  it('is valid, one loopback node, elector and runner, services beside it', async () => {
    const { config, warnings } = await loadConfig({ files: ['examples/koi.conf'], cwd: ROOT });
    // Git keeps no read bits: a checkout is 0644 and the file holds the password, which is warned about (chmod 600 to silence).
    const file = path.join(ROOT, 'examples/koi.conf');
    const readable = (statSync(file).mode & 0o044) !== 0;
    expect(warnings.map((w) => w.replace(/\(mode 0\d+\)/, '(mode M)'))).toEqual(readable
      ? [`${file} holds the cluster password and is readable by ${(statSync(file).mode & 0o004) !== 0 ? 'group and others' : 'group'} (mode M); anyone who can read it controls the cluster: chmod 600 ${file}`]
      : []);
    expect(config.node).toMatchObject({ elector: true, runner: true, port: 42012 });
    expect(config.cluster.id).toBe(13);
    expect(config.cluster.password).not.toBe('');
    expect(config.cluster.transport).toEqual([{ kind: 'ipv4', host: '127.0.0.1', port: 42012, raw: '127.0.0.1' }]);
    expect(config.service.folder).toBe(path.join(ROOT, 'examples/services'));
  });

  it('examples/fast.conf is valid too: every value in the schema\'s ranges (its time section is the fast profile)', async () => {
    const { config } = await loadConfig({ files: ['examples/fast.conf'], cwd: ROOT });
    expect(config.time.cluster_update_interval).toBeLessThan(TIME_DEFAULTS.cluster_update_interval);
  });

  it('its commented-out sections are valid too once uncommented', () => {
    const text = readFileSync(path.join(ROOT, 'examples/koi.conf'), 'utf8');
    const uncommented = text.split('\n').map((line) => line.replace(/^; (time|plugins|    |\})/, '$1')).join('\n');
    expect(uncommented).toContain('\ntime {');
    expect(parseKoiConf(uncommented).problems).toEqual([]);
  });
});
