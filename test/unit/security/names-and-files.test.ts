/**
 * core/security: the name rule, control-character escaping, secret-file and
 * code-file checks.
 */
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { escapeControl, isValidName, nameProblem } from '../../../core/security/names';
import { assertSecretFile, checkCodeFile, checkSecretFile, FilePermissionError } from '../../../core/security/file-permissions';
import { parsePassthrough, scriptEnvironment, SCRIPT_PATH } from '../../../core/security/script-env';

const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;

describe('names', () => {
  it.each(['db-east-1', 'node_2', 'host.example.com', '10-virtualip', 'a', 'x'.repeat(64)])('%s is valid', (name) => {
    expect(nameProblem(name)).toBeNull();
  });
  it.each([
    ['', 'is empty'],
    ['x'.repeat(65), '65 characters long, limit 64'],
    ['-rf', 'starts with "-"'],
    ['--help', 'starts with "-"'],
    ['evil\u001b[31m', 'contains "\\u001b"'],
    ['two words', 'contains " "'],
    ['line\nbreak', 'contains "\\n"'],
    ['semi;colon', 'contains ";"'],
  ])('%j is refused: %s', (name, why) => {
    expect(nameProblem(name)).toContain(why);
    expect(isValidName(name)).toBe(false);
  });

  it('escapeControl writes control characters as escapes, leaves other text alone', () => {
    expect(escapeControl('plain-name')).toBe('plain-name');
    expect(escapeControl('red\u001b[31mtext\u0007')).toBe('red\\x1b[31mtext\\x07');
    expect(escapeControl('a\nb\rc\td')).toBe('a\\nb\\rc\\td');
    expect(escapeControl('a\nb\u001b', { keepLines: true })).toBe('a\nb\\x1b');
    expect(escapeControl('csi\u009bdel\u007f')).toBe('csi\\x9bdel\\x7f');
    expect(escapeControl('bidi\u202eevil')).toBe('bidi\\u202eevil');
    expect(escapeControl('é ü 日本')).toBe('é ü 日本');
  });
});

describe('files', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'koi-sec-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('a secret file readable by group/others gets one line naming it, its mode and the fix; 0600 gets none', () => {
    const file = join(dir, 'koi.conf');
    writeFileSync(file, 'x', { mode: 0o644 });
    chmodSync(file, 0o644);
    expect(checkSecretFile(file, 'the cluster password')).toBe(
      `${file} holds the cluster password and is readable by group and others (mode 0644); anyone who can read it controls the cluster: chmod 600 ${file}`);
    chmodSync(file, 0o640);
    expect(checkSecretFile(file)).toContain('readable by group (mode 0640)');
    chmodSync(file, 0o600);
    expect(checkSecretFile(file)).toBeNull();
  });

  it('assertSecretFile refuses a readable key file with a typed error', () => {
    const file = join(dir, 'cluster.key');
    writeFileSync(file, 'k');
    chmodSync(file, 0o604);
    let error: unknown;
    try {
      assertSecretFile(file);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(FilePermissionError);
    expect((error as FilePermissionError).reason).toBe('E_SECRET_FILE_MODE');
    expect((error as Error).message).toContain(`refusing ${file} holds a cluster key and is readable by others (mode 0604)`);
    chmodSync(file, 0o400);
    expect(() => assertSecretFile(file)).not.toThrow();
  });

  it('checkCodeFile checks the file and each folder up to the services folder, not above it', () => {
    const services = join(dir, 'services');
    const svc = join(services, '10-app');
    mkdirSync(svc, { recursive: true, mode: 0o755 });
    const script = join(svc, 'start');
    writeFileSync(script, '#!/bin/sh\n', { mode: 0o755 });
    chmodSync(dir, 0o777); // above the services folder: not checked
    expect(checkCodeFile(script, services)).toEqual([]);
    chmodSync(services, 0o777);
    chmodSync(svc, 0o757);
    chmodSync(script, 0o777);
    expect(checkCodeFile(script, services).map((p) => `${p.file}: ${p.problem}`)).toEqual([
      `${script}: writable by others (mode 0777)`,
      `${svc}: writable by others (mode 0757)`,
      `${services}: writable by others (mode 0777)`,
    ]);
    chmodSync(dir, 0o700);
  });

  (asRoot ? it : it.skip)('group-writable by root\'s group is fine, by another group is not; another owner is not (needs root)', () => {
    const script = join(dir, 'start');
    writeFileSync(script, '#!/bin/sh\n');
    chmodSync(script, 0o775);
    expect(checkCodeFile(script, dir)).toEqual([]);
    chownSync(script, 0, 4242);
    expect(checkCodeFile(script, dir).map((p) => p.problem)).toEqual(['writable by group (gid 4242) (mode 0775)']);
    chmodSync(script, 0o755);
    chownSync(script, 65534, 0);
    expect(checkCodeFile(script, dir).map((p) => p.problem)).toEqual(["owned by uid 65534, not root or the daemon's uid 0"]);
  });

  it('a symbolic link: the folder of its target is checked too', () => {
    const services = join(dir, 'services');
    const elsewhere = join(dir, 'elsewhere');
    mkdirSync(services, { mode: 0o755 });
    mkdirSync(elsewhere, { mode: 0o777 });
    chmodSync(elsewhere, 0o777);
    writeFileSync(join(elsewhere, 'real'), '#!/bin/sh\n', { mode: 0o755 });
    symlinkSync(join(elsewhere, 'real'), join(services, 'linked'));
    expect(checkCodeFile(join(services, 'linked'), services).map((p) => `${p.file}: ${p.problem}`))
      .toEqual([`${elsewhere}: writable by others (mode 0777)`]);
  });
});

describe('script environment', () => {
  it('PATH fixed, HOME, LANG/LC_ALL when set, listed pass-through, KOI_* last', () => {
    const daemon = { PATH: '/tmp/evil:/usr/bin', HOME: '/root', LANG: 'C.UTF-8', SECRET: 's', LD_PRELOAD: '/tmp/x.so', http_proxy: 'p' };
    expect(scriptEnvironment({ KOI_STATE: 'Master' }, parsePassthrough('http_proxy, NOT_SET'), daemon)).toEqual({
      PATH: SCRIPT_PATH, HOME: '/root', LANG: 'C.UTF-8', http_proxy: 'p', KOI_STATE: 'Master',
    });
    expect(scriptEnvironment({}, [], {})).toEqual({ PATH: SCRIPT_PATH, HOME: '/' });
  });
});

describe('log lines', () => {
  it('the console/file/syslog line escapes control characters in the message, the tag and the fields', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { formatRecord } = require('../../../core/logging/format') as typeof import('../../../core/logging/format');
    const line = formatRecord({
      level: 'warn', time: 0, msg: 'ignoring svc\u001b[2J: bad\nsecond line', component: 'services', service: 'x\u001b[31m', entry: '/srv/\u001b]0;title\u0007',
    } as never, { color: false });
    expect(line).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f]/);
    expect(line).toContain('ignoring svc\\x1b[2J: bad\nsecond line');
    expect(line).toContain('[services/x\\x1b[31m]');
    expect(line).toContain('entry=/srv/\\x1b]0;title\\x07');
  });
});
