/**
 * A checker for the `koi --json` answers, written from docs/client.md
 * ("JSON output (--json), schema 1") rather than from the code's types, so an
 * answer that drifts from the documented schema fails the e2e tests.
 * Each check returns the list of problems (empty = valid).
 */

type Json = unknown;
type Problems = string[];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const NODE_FLAGS = ['Elector', 'Runner', 'Leader', 'Failed'];
const DISPLAY_STATES = ['Master', 'Slave', 'Live', 'Stopped', 'Disconnected', 'Failed', 'Elector', 'Other', 'Offline'];
const SERVICE_STATES = ['Failed', 'Failing', 'Stopped', 'Stopping', 'Starting', 'Started', 'Demoting', 'Promoting', 'Promoted'];
const MODES = ['Active', 'Passive', null];
const ELECTION_MODES = ['servant', 'candidate', 'leader', null];
const TARGETS = ['Fail', 'Stop', 'Start', 'Demote', 'Promote', null];
const ADDRESS = /^(\d{1,3}(\.\d{1,3}){3}|\[[0-9a-fA-F:.%\w]+\]):\d{1,5}$/;

function isObject(v: Json): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

class Checker {
  readonly problems: Problems = [];
  constructor(private readonly root: Json) {}

  private at(where: string): Json {
    let v: Json = this.root;
    for (const key of where.split('.').filter(Boolean)) v = isObject(v) || Array.isArray(v) ? (v as Record<string, Json>)[key] : undefined;
    return v;
  }

  private fail(where: string, what: string): void {
    this.problems.push(`${where || '(root)'}: ${what} (got ${JSON.stringify(this.at(where))})`);
  }

  is(where: string, test: (v: Json) => boolean, what: string): this {
    if (!test(this.at(where))) this.fail(where, what);
    return this;
  }

  number(where: string, min = 0): this {
    return this.is(where, (v) => typeof v === 'number' && Number.isFinite(v) && v >= min, `a number ≥ ${min}`);
  }

  bool(where: string): this {
    return this.is(where, (v) => typeof v === 'boolean', 'a boolean');
  }

  string(where: string): this {
    return this.is(where, (v) => typeof v === 'string' && v.length > 0, 'a non-empty string');
  }

  oneOf(where: string, values: Array<string | null>): this {
    return this.is(where, (v) => values.includes(v as string | null), `one of ${values.join(', ')}`);
  }

  nodeRef(where: string, nullable: boolean): this {
    const v = this.at(where);
    if (v === null && nullable) return this;
    if (!isObject(v)) return this.is(where, () => false, nullable ? 'a NodeRef or null' : 'a NodeRef');
    return this.is(`${where}.id`, (x) => typeof x === 'string' && UUID.test(x), 'a UUID').string(`${where}.name`);
  }

  array(where: string, each: (item: string) => void): this {
    const v = this.at(where);
    if (!Array.isArray(v)) return this.is(where, () => false, 'an array');
    v.forEach((_, i) => each(`${where}.${i}`));
    return this;
  }

  roles(where: string): this {
    return this.bool(`${where}.elector`).bool(`${where}.runner`);
  }

  quorum(where: string): this {
    return this.number(`${where}.configured`).number(`${where}.seen`).bool(`${where}.has`);
  }

  services(where: string): this {
    return this.array(where, (s) => this.string(`${s}.name`).oneOf(`${s}.state`, SERVICE_STATES));
  }

  failure(where: string): this {
    const v = this.at(where);
    if (v === null) return this;
    return this.number(`${where}.agoMs`).string(`${where}.reason`)
      .is(`${where}.output`, (x) => x === undefined || (Array.isArray(x) && x.every((l) => typeof l === 'string')), 'absent or a list of lines');
  }

  header(type: string): this {
    return this.is('schema', (v) => v === 1, 'schema 1').is('type', (v) => v === type, `type ${type}`);
  }
}

/** `koi --json status` / `tree`: type `cluster`. */
export function checkClusterAnswer(doc: Json): Problems {
  const c = new Checker(doc);
  c.header('cluster')
    .number('clusterId', 1)
    .nodeRef('leader', false).nodeRef('master', true).nodeRef('targetMaster', true)
    .bool('manualMaster').bool('maintenance').quorum('quorum');
  c.array('nodes', (n) => {
    c.is(`${n}.id`, (x) => typeof x === 'string' && UUID.test(x), 'a UUID').string(`${n}.name`).roles(`${n}.roles`)
      .array(`${n}.flags`, (f) => c.oneOf(f, NODE_FLAGS))
      .oneOf(`${n}.state`, DISPLAY_STATES).oneOf(`${n}.mode`, MODES)
      .is(`${n}.address`, (x) => x === null || (typeof x === 'string' && ADDRESS.test(x)), 'ip:port, [ipv6]:port or null')
      .number(`${n}.lastSeenAgoMs`)
      .is(`${n}.uptimeMs`, (x) => x === null || (typeof x === 'number' && x >= 0), 'a number or null')
      .services(`${n}.services`).number(`${n}.failCount`).failure(`${n}.lastFailure`)
      .is(`${n}.addressesTried`, (x) => x === undefined || (Array.isArray(x) && x.every((a) => typeof a === 'string' && ADDRESS.test(a))), 'absent or a list of ip:port');
  });
  // Added within schema 1 (issue 12): why there is no master, and configured peers never heard.
  c.is('noMaster', (x) => x === undefined || x === null || (isObject(x) && typeof x.code === 'string' && typeof x.message === 'string' && x.message.length > 0
    && (x.remainingMs === undefined || (typeof x.remainingMs === 'number' && x.remainingMs >= 0)) && Array.isArray(x.runners)), 'null or {code, message, remainingMs?, runners[]}');
  c.is('noMaster', (x) => (x === null || x === undefined) === (isObject(doc) && doc.master !== null), 'null exactly when there is a master');
  if (isObject(doc) && isObject(doc.noMaster)) c.array('noMaster.runners', (r) => c.nodeRef(`${r}.node`, false).string(`${r}.reason`));
  c.is('unheard', (x) => x === undefined || (Array.isArray(x) && x.every((a) => typeof a === 'string' && ADDRESS.test(a))), 'absent or a list of ip:port');
  // Added within schema 1 (R7's election in effect): a named master not promoted yet, and why; only with a master.
  c.is('masterPending', (x) => x === undefined || (isObject(x) && typeof x.code === 'string' && typeof x.message === 'string' && x.message.length > 0
    && (x.remainingMs === undefined || (typeof x.remainingMs === 'number' && x.remainingMs >= 0))
    && isObject(doc) && doc.master !== null), 'absent, or {code, message, remainingMs?} beside a master');
  return c.problems;
}

/** `koi --json local` / `status NODE`: type `local`. */
export function checkLocalAnswer(doc: Json): Problems {
  const c = new Checker(doc);
  c.header('local')
    .is('id', (x) => typeof x === 'string' && UUID.test(x), 'a UUID').string('name').string('version')
    .roles('roles').array('flags', (f) => c.oneOf(f, NODE_FLAGS))
    .oneOf('state', DISPLAY_STATES).oneOf('mode', MODES).oneOf('electionMode', ELECTION_MODES).oneOf('target', TARGETS)
    .bool('stopped').nodeRef('leader', true).nodeRef('master', true).bool('maintenance').quorum('quorum')
    .number('uptimeMs').array('addresses', (a) => c.is(a, (x) => typeof x === 'string' && ADDRESS.test(x), 'ip:port or [ipv6]:port'))
    .services('services').number('failCount').failure('lastFailure');
  return c.problems;
}

/** `koi --json failures`: type `failures`. */
export function checkFailuresAnswer(doc: Json): Problems {
  const c = new Checker(doc).header('failures');
  c.array('failures', (f) => c.number(`${f}.atMs`, 1).number(`${f}.agoMs`).nodeRef(`${f}.node`, false).string(`${f}.reason`)
    .is(`${f}.output`, (x) => x === undefined || (Array.isArray(x) && x.every((l) => typeof l === 'string')), 'absent or a list of lines'));
  return c.problems;
}

/** An accepted action: type `result`. */
export function checkResultAnswer(doc: Json, command: string): Problems {
  const c = new Checker(doc);
  c.header('result')
    .is('command', (x) => x === command, `command ${command}`).nodeRef('node', false).string('message')
    .array('details', (d) => c.is(d, (x) => typeof x === 'string', 'a string'));
  return c.problems;
}

/** A refusal: type `error`. */
export function checkErrorAnswer(doc: Json, exitCode: 1 | 2 | 3): Problems {
  return new Checker(doc).header('error').string('command').is('exitCode', (x) => x === exitCode, `exit code ${exitCode}`).string('error').problems;
}

/** A plugin command: type `plugin`. */
export function checkPluginAnswer(doc: Json): Problems {
  return new Checker(doc).header('plugin').string('command').number('exitCode').is('text', (x) => typeof x === 'string', 'a string').problems;
}

/** `koi commands`: type `commands`. */
export function checkCommandsAnswer(doc: Json): Problems {
  const c = new Checker(doc).header('commands');
  c.array('commands', (x) => c.string(`${x}.name`).is(`${x}.usage`, (v) => typeof v === 'string', 'a string').string(`${x}.summary`)
    .is(`${x}.readOnly`, (v) => typeof v === 'boolean', 'a boolean').oneOf(`${x}.runs`, ['self', 'leader', 'node', 'status', 'here', 'every'])
    .is(`${x}.plugin`, (v) => v === undefined || typeof v === 'string', 'absent or a string'));
  return c.problems;
}
