import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadConfig } from '../../../core/config/loader';
import { ConfigError } from '../../../core/config/errors';
import { formatKeyFile, parseKeyFile, randomKey, readKeyFile } from '../../../core/wire/keyfile';
import { runKeygen } from '../../../core/admin/keygen';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'koi-keyfile-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function conf(body: string): string {
  const file = path.join(dir, 'koi.conf');
  fs.writeFileSync(file, `cluster {\n${body}\n}\n`);
  return file;
}
async function loadError(file: string): Promise<string> {
  try {
    await loadConfig({ files: [file], cwd: dir });
  } catch (err) {
    if (err instanceof ConfigError) return err.format();
    throw err;
  }
  return '(loaded)';
}

describe('key files', () => {
  it('parse: ids, primary first, syntax errors name file:line', () => {
    const k = parseKeyFile(`# c\n2 ${Buffer.alloc(32, 2).toString('base64')}\n\n1 ${Buffer.alloc(32, 1).toString('base64')} # old\n`, 'x.key');
    expect(k.ids).toEqual([2, 1]);
    expect(k.primary).toBe(2);
    expect(() => parseKeyFile(`1 ${Buffer.alloc(16).toString('base64')}\n`, 'x.key')).toThrow(/^x\.key:1: expected "ID KEY"/);
    expect(() => parseKeyFile(`0 ${Buffer.alloc(32).toString('base64')}\n`, 'x.key')).toThrow('x.key:1: key id 0 is not in 1..255');
    expect(() => parseKeyFile(`3 ${Buffer.alloc(32).toString('base64')}\n3 ${Buffer.alloc(32).toString('base64')}\n`, 'x.key')).toThrow('x.key:2: key id 3 appears twice');
    expect(() => parseKeyFile('# nothing\n', 'x.key')).toThrow(/no key/);
  });

  it('readKeyFile refuses group/other access, foreign owners and symbolic links', () => {
    const file = path.join(dir, 'k');
    fs.writeFileSync(file, formatKeyFile([{ id: 1, key: randomKey() }]), { mode: 0o640 });
    fs.chmodSync(file, 0o640);
    expect(() => readKeyFile(file)).toThrow(`${file}: key file mode is 0640: group or others may access it; run \`chmod 600 ${file}\``);
    fs.chmodSync(file, 0o600);
    expect(readKeyFile(file).ids).toEqual([1]);
    // As if the daemon ran as another (non-root) uid than the file's owner (root or the test's user).
    const owner = fs.statSync(file).uid;
    if (owner !== 0) expect(() => readKeyFile(file, owner + 1)).toThrow(/owned by uid/);
    else expect(readKeyFile(file, 4242).ids).toEqual([1]); // root-owned: accepted for any daemon uid
    fs.symlinkSync(file, path.join(dir, 'link'));
    expect(() => readKeyFile(path.join(dir, 'link'))).toThrow(/symbolic link/);
  });

  it('koi keygen: 0600 even under umask 0, never overwrites, --id checked', () => {
    const out: string[] = [];
    const io = { stdout: { write: (t: string) => out.push(t) }, stderr: { write: (t: string) => out.push(t) }, cwd: dir };
    const old = process.umask(0);
    try {
      expect(runKeygen(['--id', '7', 'new.key'], io)).toBe(0);
    } finally {
      process.umask(old);
    }
    expect(fs.statSync(path.join(dir, 'new.key')).mode & 0o777).toBe(0o600);
    expect(readKeyFile(path.join(dir, 'new.key')).ids).toEqual([7]);
    const before = fs.readFileSync(path.join(dir, 'new.key'), 'utf8');
    expect(runKeygen(['new.key'], io)).toBe(1);
    expect(out.join('')).toContain('already exists');
    expect(fs.readFileSync(path.join(dir, 'new.key'), 'utf8')).toBe(before);
    expect(runKeygen(['--id', '256'], io)).toBe(2);
  });
});

describe('loader: cluster.key_file / cluster.password', () => {
  it('a private key file loads; its digest changes when the keys do (a reload sees a rotation)', async () => {
    const key = path.join(dir, 'cluster.key');
    fs.writeFileSync(key, formatKeyFile([{ id: 1, key: randomKey() }]), { mode: 0o600 });
    const file = conf('  key_file cluster.key');
    const a = (await loadConfig({ files: [file], cwd: dir })).config.cluster;
    expect(a.key_file).toBe(key);
    fs.appendFileSync(key, formatKeyFile([{ id: 2, key: randomKey() }]));
    const b = (await loadConfig({ files: [file], cwd: dir })).config.cluster;
    expect(b.key_digest).not.toBe(a.key_digest);
    expect((await loadConfig({ files: [file], cwd: dir })).warnings.join()).not.toMatch(/password is empty/);
  });

  it('errors name the config file and line: both set, readable key file, short password', async () => {
    const key = path.join(dir, 'cluster.key');
    fs.writeFileSync(key, formatKeyFile([{ id: 1, key: randomKey() }]), { mode: 0o644 });
    fs.chmodSync(key, 0o644);
    let file = conf('  key_file cluster.key');
    expect(await loadError(file)).toContain(`${file}:2: cluster.key_file: ${key}: key file mode is 0644`);
    file = conf('  password "long enough secret"\n  key_file cluster.key');
    expect(await loadError(file)).toContain(`${file}:3: cluster.key_file: cluster.password is set too: use one of them`);
    file = conf('  password "e2e-secret"');
    expect(await loadError(file)).toContain(`${file}:2: cluster.password: the password is 10 characters long; at least 12 are required`);
    file = conf('  password "twelve chars"');
    expect(await loadError(file)).toBe('(loaded)');
  });
});
