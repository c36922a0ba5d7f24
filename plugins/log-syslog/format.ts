/** Syslog wire formats (RFC 3164 as glibc's syslog() writes it, and RFC 5424). */
import type { LogLevel, LogRecord } from '../../plugin-api';
import { formatRecord } from '../../plugin-api';

export const FACILITIES = {
  kern: 0, user: 1, mail: 2, daemon: 3, auth: 4, syslog: 5, lpr: 6, news: 7, uucp: 8, cron: 9, authpriv: 10, ftp: 11,
  local0: 16, local1: 17, local2: 18, local3: 19, local4: 20, local5: 21, local6: 22, local7: 23,
} as const;
export type Facility = keyof typeof FACILITIES;

/** Syslog severity of a log level (RFC 5424 §6.2.1). */
export const SEVERITY: Record<LogLevel, number> = { trace: 7, debug: 7, info: 6, warn: 4, error: 3, fatal: 2 };

export interface SyslogHeader {
  facility: Facility;
  ident: string;
  pid: number;
  hostname: string;
}

export function priority(level: LogLevel, facility: Facility): number {
  return FACILITIES[facility] * 8 + SEVERITY[level];
}

/** The text after the header: `[tag] message key=value…` without time or level. */
export function syslogText(record: LogRecord): string {
  return formatRecord(record, { color: false, time: false, level: false }).replace(/[\r\n]+/g, ' ');
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `<PRI>Mmm dd hh:mm:ss ident[pid]: text` (local time, no host name: the local daemon adds it). */
export function rfc3164(record: LogRecord, header: SyslogHeader): string {
  const d = new Date(record.time);
  const pad = (n: number): string => String(n).padStart(2, '0');
  const stamp = `${MONTHS[d.getMonth()]} ${String(d.getDate()).padStart(2, ' ')} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  return `<${priority(record.level, header.facility)}>${stamp} ${header.ident}[${header.pid}]: ${syslogText(record)}`;
}

/** `<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID SD MSG` with no structured data. */
export function rfc5424(record: LogRecord, header: SyslogHeader): string {
  const msgid = typeof record.component === 'string' ? printable(record.component, 32) : '-';
  return `<${priority(record.level, header.facility)}>1 ${new Date(record.time).toISOString()} ${printable(header.hostname, 255)} `
    + `${printable(header.ident, 48)} ${header.pid} ${msgid} - ${syslogText(record)}`;
}

function printable(value: string, max: number): string {
  const clean = value.replace(/[^\x21-\x7e]/g, '_').slice(0, max);
  return clean === '' ? '-' : clean;
}
