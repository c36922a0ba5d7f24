/** Real-socket helpers for the UDP tests (loopback only). */
import { createSocket } from 'node:dgram';
import type { TransportAddress } from '../../../plugin-api';

/** A UDP port free on both 127.0.0.1 and ::1 right now. */
export async function freeDualPort(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const v4 = createSocket('udp4');
    const port = await new Promise<number>((resolve, reject) => {
      v4.once('error', reject);
      v4.bind(0, '127.0.0.1', () => resolve(v4.address().port));
    });
    const v6 = createSocket({ type: 'udp6', ipv6Only: true });
    const ok = await new Promise<boolean>((resolve) => {
      v6.once('error', () => resolve(false));
      v6.bind(port, '::1', () => resolve(true));
    });
    await new Promise<void>((r) => v4.close(() => r()));
    if (ok) await new Promise<void>((r) => v6.close(() => r()));
    if (ok) return port;
  }
  throw new Error('no port free on both 127.0.0.1 and ::1');
}

export function addr(raw: string, nodePort: number): TransportAddress {
  const m = /^\[(.+)\]:(\d+)$/.exec(raw);
  if (m) return { kind: /^ff/i.test(m[1]) ? 'multicast6' : 'ipv6', host: m[1], port: Number(m[2]), raw };
  if (raw.includes('::') || raw.split(':').length > 2) {
    return { kind: /^ff/i.test(raw) ? 'multicast6' : 'ipv6', host: raw, port: nodePort, raw };
  }
  const [host, port] = raw.split(':');
  const p = port ? Number(port) : nodePort;
  if (/^\d+\.\d+\.\d+\.\d+$/.test(host)) {
    const first = Number(host.split('.')[0]);
    return { kind: first >= 224 && first <= 239 ? 'multicast4' : 'ipv4', host, port: p, raw };
  }
  return { kind: 'hostname', host, port: p, raw };
}

/** Collects items and resolves when `n` arrived (or rejects after `ms`). */
export class Inbox<T> {
  readonly items: T[] = [];
  private waiters: { n: number; resolve: () => void }[] = [];
  push = (item: T): void => {
    this.items.push(item);
    this.waiters = this.waiters.filter((w) => {
      if (this.items.length >= w.n) w.resolve();
      return this.items.length < w.n;
    });
  };
  waitFor(n: number, ms = 3000): Promise<T[]> {
    if (this.items.length >= n) return Promise.resolve(this.items);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${n} items, have ${this.items.length}`)), ms);
      this.waiters.push({ n, resolve: () => { clearTimeout(timer); resolve(this.items); } });
    });
  }
}

export const settle = (ms = 150): Promise<void> => new Promise((r) => setTimeout(r, ms));
