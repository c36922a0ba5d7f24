/**
 * log-syslog: log records to the local syslog (`/dev/log`, unix datagrams,
 * facility user, ident koi) and optionally to a remote syslog over UDP/TCP.
 */
import { definePlugin } from '../../plugin-api';
import { FACILITIES } from './format';
import type { Facility } from './format';
import { createSyslogSink, parseSyslogTarget } from './sink';

export { createSyslogSink, parseSyslogTarget } from './sink';
export type { SyslogSinkOptions } from './sink';
export { rfc3164, rfc5424, priority, SEVERITY, FACILITIES } from './format';

export default definePlugin({
  name: 'log-syslog',
  options: {
    path: { type: 'string', description: 'local syslog socket (unix datagrams)', default: '/dev/log' },
    local: { type: 'boolean', description: 'send to the local socket', default: true },
    format: { type: 'string', description: 'wire format on the local socket', enum: ['rfc3164', 'rfc5424'], default: 'rfc3164' },
    target: { type: 'string', description: 'remote syslog, udp://host:514 or tcp://host:601 (RFC 5424)' },
    facility: { type: 'string', description: 'syslog facility', enum: Object.keys(FACILITIES), default: 'user' },
    ident: { type: 'string', description: 'program name in each message', default: 'koi' },
    max_message: { type: 'integer', description: 'longest message in bytes (longer ones are cut)', min: 256, max: 65_000, default: 8192 },
    retry: { type: 'duration', description: 'wait between attempts to reach a syslog that failed', min: 0, default: '5s' },
  },
  apply(koi, options) {
    if (options.target) parseSyslogTarget(options.target); // bad target: a clear error naming the plugin
    const sink = createSyslogSink({
      local: options.local,
      path: options.path,
      format: options.format,
      target: options.target ?? '',
      facility: options.facility as Facility,
      ident: options.ident,
      maxMessage: options.max_message,
      retryMs: options.retry,
    });
    koi.provide.logSink(sink);
  },
});
