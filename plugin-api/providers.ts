/**
 * Provider interfaces: what a plugin registers to give the daemon a way to
 * talk to the world. Transport and cipher are single slots (exactly one
 * provider); log sinks and service executors may be many.
 */
import type { Logger } from './logger';
import type { ServiceEventName } from './status';

/**
 * Called by a transport for every datagram it receives, synchronously in the socket's read callback and
 * without filtering: a promote waits until the node's sockets are read dry (docs/safety.md R6, "a promote
 * begins after a fresh read"), judged by the datagrams handed over here. `from` is an address `sendTo` accepts.
 */
export type DatagramHandler = (data: Uint8Array, from: string) => void;

/** Moves opaque datagrams between nodes (UDP, multicast, in-memory, ...). */
export interface Transport {
  readonly name: string;
  /** Bind and start delivering datagrams to `onDatagram`. Rejects with a clear error when it cannot bind. */
  start(onDatagram: DatagramHandler): Promise<void>;
  /** Send one datagram on every configured link (every address of `cluster.transport`). */
  broadcast(data: Uint8Array): void;
  /** Send one datagram to one address, as given by a received datagram's `from`. */
  sendTo(address: string, data: Uint8Array): void;
  /** The local addresses bound, for status output (e.g. `127.0.0.1:42012`). */
  localAddresses(): string[];
  /**
   * Optional: the unicast addresses of `cluster.transport` as resolved
   * `ip:port` strings, each marked when it is this node's own. koi uses it
   * to tell when every configured peer has been heard, counting nodes, not
   * addresses (a node with redundant links covers several entries). Without
   * it, each distinct host counts as one node.
   */
  configuredAddresses?(): Array<{ address: string; own: boolean }>;
  /** Largest datagram this transport carries, in bytes. */
  readonly maxDatagramSize: number;
  close(): Promise<void>;
}

/**
 * Authenticated encryption of datagrams. The key is derived once when the
 * plugin is applied, never per packet.
 */
export interface Cipher {
  readonly name: string;
  /** Bytes `seal` adds to the plaintext (nonce + tag). */
  readonly overhead: number;
  /** Key id the codec writes in the frame header of what `seal` seals next (the primary key; default 0). */
  readonly keyId?: number;
  /** Whether datagrams sealed with this key id can be opened (checked before any crypto; default: id === keyId). */
  hasKey?(keyId: number): boolean;
  /** Encrypt `plaintext`; `header` is authenticated, not encrypted. Returns nonce ‖ ciphertext ‖ tag. */
  seal(header: Uint8Array, plaintext: Uint8Array): Uint8Array;
  /** Authenticate and decrypt; `null` when authentication fails. Never throws on bad input. */
  open(header: Uint8Array, sealed: Uint8Array): Uint8Array | null;
}

/** A folder entry of `service.folder` offered to executors. */
export interface ServiceEntry {
  /** Entry name as found, e.g. `10-virtualip`. */
  name: string;
  /** Absolute path. */
  path: string;
  isDirectory: boolean;
}

/** A service an executor recognised. */
export interface ServiceDefinition {
  /** Entry name, e.g. `10-virtualip`. */
  name: string;
  /** Priority from the `XX-` prefix, or null when none. */
  priority: number | null;
  path: string;
  /** The executor kind that runs it (e.g. `shell`, `native`). */
  executor: string;
  /** Events this service implements; a missing one counts as instant success. */
  events: ServiceEventName[];
  /** False when the service is disabled (a `disabled` file in its directory). */
  enabled: boolean;
  /** Changes when the service's scripts/module change (logged on rescan). */
  fingerprint: string;
}

/** One event to run. */
export interface ServiceEventRequest {
  service: ServiceDefinition;
  event: ServiceEventName;
  /** Environment for the event (KOI_IS_PROMOTED, KOI_STATE, KOI_SERVICE, ...). */
  env: Record<string, string>;
  /** Working directory. */
  cwd: string;
  timeoutMs: number;
  /** Grace between SIGTERM and SIGKILL (scripts) or after abort (native). */
  killGraceMs: number;
  /** Aborted when the event must stop early (a stop request, shutdown). */
  signal: AbortSignal;
  /** Logger tagged with service and event; output goes here line by line. */
  log: Logger;
}

/** The outcome of one event. */
export interface ServiceEventResult {
  /** Exit code (scripts) or status code (native); -1 when it did not finish. */
  code: number;
  timedOut: boolean;
  aborted: boolean;
  /** Why it failed to run, when it did not run normally (spawn error, thrown error). */
  error?: string;
  durationMs: number;
  /**
   * The last lines the event wrote (stdout and stderr interleaved, at most
   * OUTPUT_TAIL_LINES of OUTPUT_TAIL_CHARS each), kept so a failure can say
   * what the script said (`koi failures`, `koi status NODE`, the log).
   */
  output?: string[];
}

/** Lines of a failing event's output kept with the failure. */
export const OUTPUT_TAIL_LINES = 8;
/** Characters kept of each of those lines. */
export const OUTPUT_TAIL_CHARS = 200;

/** Runs service events of one kind (shell scripts, native modules, ...). */
export interface ServiceExecutor {
  readonly kind: string;
  /** Recognise an entry of the service folder; null when this executor does not run it. */
  probe(entry: ServiceEntry, log: Logger): Promise<ServiceDefinition | null>;
  run(request: ServiceEventRequest): Promise<ServiceEventResult>;
  /**
   * Optional: end the event scripts a previous daemon on this machine left
   * running when it died (crash, SIGKILL), before the start-up sweep checks
   * the services — else a promote that finishes after the sweep's status
   * check leaves the service promoted on a node that is not the master.
   * Returns one line per script ended. Executors whose events die with the
   * daemon (native modules) leave it out.
   */
  reapOrphans?(context: OrphanContext): Promise<string[]>;
}

/** What an executor needs to find and end a dead daemon's scripts. */
export interface OrphanContext {
  /** Only scripts of services under this folder (another daemon on the machine may use another). */
  servicesFolder: string;
  /** SIGTERM first, SIGKILL after this long (`service.kill_grace`). */
  killGraceMs: number;
  log: Logger;
}

/** Context handed to a native service's event functions. */
export interface NativeServiceContext {
  /** Same variables a script gets (KOI_IS_PROMOTED, KOI_STATE, ...). */
  env: Readonly<Record<string, string>>;
  /** Aborted on timeout or when a stop request cancels the event. */
  signal: AbortSignal;
  log: Logger;
}

/**
 * A service written as a JS/TS module (SPEC §6, beyond). Every function is
 * optional; a missing one is instant success. `status` returns a StatusCode;
 * a thrown error or rejected promise is a failure.
 */
export interface NativeService {
  start?(ctx: NativeServiceContext): Promise<void>;
  stop?(ctx: NativeServiceContext): Promise<void>;
  status?(ctx: NativeServiceContext): Promise<number>;
  promote?(ctx: NativeServiceContext): Promise<void>;
  demote?(ctx: NativeServiceContext): Promise<void>;
  failed?(ctx: NativeServiceContext): Promise<void>;
}

/** Identity helper for native service authors: `export default defineService({...})`. */
export function defineService<T extends NativeService>(service: T): T {
  return service;
}
