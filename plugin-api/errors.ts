/**
 * koi's error registry (as Fastify's lib/errors.js): every error class koi
 * and its built-in plugins throw carries one code from ErrorCode, in one
 * style (`KOI_<WHAT>`); the exit codes are `ExitCode` (plugin-api/status.ts,
 * one constant each); `errorMessage` is the one way to turn anything thrown
 * into text. It lives in plugin-api so built-in and third-party plugins
 * share it (they may not import core/).
 *
 * Classes whose instances differ by a finer reason (a wire reject, a key
 * file problem, a socket failure) keep that reason in `reason`; `code` is
 * always the class's registry code.
 */

export const ErrorCode = {
  /** koi.conf problems (every one with file:line); exit 78. */
  CONFIG: 'KOI_CONFIG',
  /** A duration value that does not parse (`2x`). */
  DURATION: 'KOI_DURATION',
  /** A `cluster.transport` entry that is not an address form. */
  TRANSPORT_ADDRESS: 'KOI_TRANSPORT_ADDRESS',
  /** A --log target that cannot be used; exit 78. */
  LOG_TARGET: 'KOI_LOG_TARGET',
  /** koinode failed to start or run (carries the exit code). */
  DAEMON: 'KOI_DAEMON',
  /** The pid file is held by a running koinode or cannot be written. */
  PID_FILE: 'KOI_PID_FILE',
  /** A plugin could not be found, loaded, validated or applied. */
  PLUGIN: 'KOI_PLUGIN',
  /** The event journal cannot be read or written. */
  JOURNAL: 'KOI_JOURNAL',
  /** A runner transition the state table does not allow (a bug). */
  ILLEGAL_TRANSITION: 'KOI_ILLEGAL_TRANSITION',
  /** The service manager refused an action (reason: which). */
  SERVICE: 'KOI_SERVICE',
  /** The cluster key cannot be derived (weak password, bad cluster id). */
  KEY_DERIVATION: 'KOI_KEY_DERIVATION',
  /** A key file is unreadable or malformed (reason: which). */
  KEY_FILE: 'KOI_KEY_FILE',
  /** A cipher was given a key that is not AES-256. */
  CIPHER_KEY: 'KOI_CIPHER_KEY',
  /** A datagram was refused by the wire codec (reason: why). */
  WIRE: 'KOI_WIRE',
  /** A decoded message has a bad field (reason: which). */
  MESSAGE_FORMAT: 'KOI_MESSAGE_FORMAT',
  /** A file koi trusts has an unsafe owner or mode (reason: which check). */
  FILE_PERMISSION: 'KOI_FILE_PERMISSION',
  /** The admin policy refused a request. */
  ADMIN_POLICY: 'KOI_ADMIN_POLICY',
  /** The local admin socket cannot be set up (reason: why). */
  ADMIN_SOCKET: 'KOI_ADMIN_SOCKET',
  /** A forwarded admin request got no answer in time. */
  FORWARD_TIMEOUT: 'KOI_FORWARD_TIMEOUT',
  /** `koi` was called wrongly; exit 2. */
  USAGE: 'KOI_USAGE',
  /** The `koi` client's UDP socket failed (reason: the errno or check). */
  CLIENT_SOCKET: 'KOI_CLIENT_SOCKET',
  /** The udp transport's configuration is unusable. */
  TRANSPORT_CONFIG: 'KOI_TRANSPORT_CONFIG',
  /** The udp transport cannot bind (reason: the errno). */
  TRANSPORT_BIND: 'KOI_TRANSPORT_BIND',
  /** A native service module cannot be loaded. */
  NATIVE_SERVICE_LOAD: 'KOI_NATIVE_SERVICE_LOAD',
  /** A `vip` service file is malformed. */
  VIP_FILE: 'KOI_VIP_FILE',
  /** An ip/arping/ndisc6 command of exec-vip failed. */
  VIP_COMMAND: 'KOI_VIP_COMMAND',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** The base of koi's error classes: a registry code and the class name as `name`. */
export class KoiError extends Error {
  constructor(readonly code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The text of anything thrown: an Error's message, anything else as a string. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Like errorMessage, with the stack when there is one (unexpected errors, for the operator). */
export function errorDetail(err: unknown): string {
  return err instanceof Error ? err.stack ?? err.message : String(err);
}
