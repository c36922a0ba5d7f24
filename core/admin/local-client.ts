/**
 * The `koi` side of the local admin socket (local-socket.ts): connect, send
 * one JSON line, read one JSON line. Connecting is where the kernel checks
 * the caller against the socket's owner, group and mode.
 */
import net from 'node:net';
import os from 'node:os';
import type { LocalAnswer } from './local-socket';

export type LocalCallOutcome =
  | { ok: true; answer: LocalAnswer }
  /** `connect`: could not connect (code: ENOENT, EACCES, ECONNREFUSED...); `protocol`: connected, no usable answer. */
  | { ok: false; stage: 'connect' | 'protocol'; code: string; message: string };

/** `alice (uid 1000)`: who runs this client, for the node's log of what it was asked (no credentials). */
function callerName(): string {
  try {
    const me = os.userInfo();
    return `${me.username} (uid ${me.uid})`;
  } catch {
    return typeof process.getuid === 'function' ? `uid ${process.getuid()}` : '';
  }
}

export function callLocalAdmin(file: string, command: string, args: string[], timeoutMs: number): Promise<LocalCallOutcome> {
  return new Promise((resolve) => {
    let connected = false;
    let buffered = '';
    let settled = false;
    const socket = net.connect(file);
    const done = (outcome: LocalCallOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(() => done({
      ok: false, stage: connected ? 'protocol' : 'connect', code: 'ETIMEDOUT', message: `no answer on ${file} within ${timeoutMs} ms`,
    }), timeoutMs);
    socket.once('connect', () => {
      connected = true;
      socket.write(`${JSON.stringify({ command, args, user: callerName() })}\n`);
    });
    socket.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
    });
    socket.on('end', () => {
      const line = buffered.split('\n')[0];
      try {
        const answer = JSON.parse(line) as LocalAnswer;
        if (typeof answer.exitCode !== 'number' || typeof answer.text !== 'string') throw new Error('fields missing');
        done({ ok: true, answer: { exitCode: answer.exitCode, text: answer.text, json: typeof answer.json === 'string' ? answer.json : '' } });
      } catch {
        done({ ok: false, stage: 'protocol', code: 'EPROTO', message: `the node on ${file} sent no valid answer` });
      }
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      done({ ok: false, stage: connected ? 'protocol' : 'connect', code: err.code ?? 'ERROR', message: err.message });
    });
  });
}
