/**
 * The `listen` option of the http plugin: `host:port`, an IPv6 host in
 * brackets (`[::1]:9464`). A host name is allowed (the server resolves it);
 * `*` or an empty host is not: binding every interface must be spelled out
 * (`0.0.0.0:9464`, `[::]:9464`).
 */
import { isIP } from 'node:net';

/** Where the plugin listens when `listen` is not given: loopback only. */
export const DEFAULT_LISTEN = '127.0.0.1:9464';

export interface ListenAddress {
  host: string;
  port: number;
  /** As written. */
  raw: string;
}

export type ListenParse = { ok: true; value: ListenAddress } | { ok: false; problem: string };

const HOST_NAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i;

export function parseListen(raw: string): ListenParse {
  const text = raw.trim();
  const bad = (why: string): ListenParse => ({ ok: false, problem: `${JSON.stringify(raw)}: ${why} (write host:port, e.g. ${DEFAULT_LISTEN} or [::1]:9464)` });
  let host: string;
  let portText: string;
  const bracketed = /^\[([^\]]*)\]:(\S*)$/.exec(text);
  if (bracketed) {
    [, host, portText] = bracketed;
    if (isIP(host) !== 6) return bad(`${JSON.stringify(host)} in brackets is not an IPv6 address`);
  } else {
    const colon = text.lastIndexOf(':');
    if (colon < 0) return bad('no port');
    host = text.slice(0, colon);
    portText = text.slice(colon + 1);
    if (host.includes(':')) return bad('an IPv6 address needs brackets');
    if (host === '') return bad('no host');
    if (isIP(host) === 0 && !HOST_NAME.test(host)) return bad(`${JSON.stringify(host)} is not an IP address or host name`);
  }
  if (!/^\d+$/.test(portText)) return bad(`port ${JSON.stringify(portText)} is not a number`);
  const port = Number(portText);
  if (port < 1 || port > 65535) return bad(`port ${port} is outside 1..65535`);
  return { ok: true, value: { host, port, raw: text } };
}

/** Whether only this machine can reach the address. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || /^127\./.test(host) || host === '::1';
}

/** `host:port` for URLs and log lines. */
export function formatHostPort(host: string, port: number): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}
