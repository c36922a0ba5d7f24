/**
 * `--log TARGETS`: a comma list mapped to log sink plugins.
 *   console            → log-console
 *   syslog[:WHERE]     → log-syslog (WHERE: a socket path, udp://host:port or tcp://host:port)
 *   file:PATH          → log-file { path }
 *   json               → log-file { json: true, path: 'stdout' }
 */
import * as path from 'node:path';
import type { PluginEntry } from '../../plugin-api';
import { ErrorCode, KoiError } from '../../plugin-api/errors';

export class LogTargetError extends KoiError {
  constructor(message: string) {
    super(ErrorCode.LOG_TARGET, message);
  }
}

export type LogTarget = PluginEntry;

export interface LogTargetOptions {
  /** Colour on the console (false with `-C`). */
  color: boolean;
  /** Folder relative file paths resolve against. */
  cwd: string;
}

export function parseLogTargets(spec: string | string[], options: LogTargetOptions): LogTarget[] {
  const items = (Array.isArray(spec) ? spec : [spec])
    .flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (items.length === 0) throw new LogTargetError('--log: no target given (use console, syslog, file:PATH or json)');
  return items.map((item) => parseOne(item, options));
}

function parseOne(item: string, options: LogTargetOptions): LogTarget {
  const colon = item.indexOf(':');
  const kind = colon < 0 ? item : item.slice(0, colon);
  const arg = colon < 0 ? '' : item.slice(colon + 1);
  switch (kind) {
    case 'console':
      if (arg) throw new LogTargetError(`--log ${item}: console takes no argument`);
      return { name: 'log-console', options: { color: options.color }, baseDir: options.cwd };
    case 'syslog': {
      if (!arg) return { name: 'log-syslog', options: {}, baseDir: options.cwd };
      if (/^(udp|tcp):\/\//.test(arg)) return { name: 'log-syslog', options: { target: arg, local: false }, baseDir: options.cwd };
      return { name: 'log-syslog', options: { path: path.resolve(options.cwd, arg) }, baseDir: options.cwd };
    }
    case 'file':
      if (!arg) throw new LogTargetError(`--log ${item}: file needs a path (file:/var/log/koi.log)`);
      return { name: 'log-file', options: { path: path.resolve(options.cwd, arg) }, baseDir: options.cwd };
    case 'json':
      if (arg) throw new LogTargetError(`--log ${item}: json takes no argument (use file:PATH for a file)`);
      return { name: 'log-file', options: { json: true, path: 'stdout' }, baseDir: options.cwd };
    default:
      throw new LogTargetError(`--log ${item}: unknown target "${kind}" (use console, syslog, file:PATH or json)`);
  }
}
