/**
 * The read barrier a promote waits for (docs/safety.md R6): its callback runs only after an event-loop turn
 * whose poll read nothing, however the backlog is split into polls. The loop here is libuv's shape: each turn
 * a poll phase reads up to 32 datagrams of the socket's backlog (one callback each), then the check phase runs
 * the immediates queued before it (one queued during it waits for the next turn, as Node does).
 */
import fc from 'fast-check';
import { spawnSync } from 'node:child_process';
import * as dgram from 'node:dgram';
import { RealClock } from '../../../core/clock';
import { POLL_BATCH, ReadBarrier } from '../../../core/node/read-barrier';

const PER_POLL = POLL_BATCH;

class Loop {
  backlog = 0;
  read = 0;
  private immediates: Array<() => void> = [];
  /** Called on each datagram read, with how many were read so far. */
  onDatagram: (n: number) => void = () => {};
  readonly barrier = new ReadBarrier((fn) => this.immediates.push(fn));

  turn(): void {
    const n = Math.min(PER_POLL, this.backlog);
    for (let i = 0; i < n; i++) {
      this.backlog--;
      this.read++;
      this.barrier.noteRead();
      this.onDatagram(this.read);
    }
    const due = this.immediates;
    this.immediates = [];
    for (const fn of due) fn();
  }
}

test('a request made on a datagram in the middle of a backlog runs only once the whole backlog is read', () => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 400 }), fc.nat(), fc.array(fc.nat({ max: 40 }), { maxLength: 30 }), (backlog, at, arrivals) => {
    const loop = new Loop();
    loop.backlog = backlog;
    const requestAt = 1 + (at % backlog);
    let ranWithUnread: number | null = null;
    let ran = false;
    loop.onDatagram = (n) => {
      if (n === requestAt) loop.barrier.whenDrained(() => { ran = true; ranWithUnread = loop.backlog; });
    };
    // More datagrams keep arriving for a while (a peer's heartbeats): each turn some join the backlog.
    for (let turn = 0; turn < 1000 && !ran; turn++) {
      loop.backlog += arrivals[turn] ?? 0;
      loop.turn();
    }
    expect(ran).toBe(true);
    expect(ranWithUnread).toBe(0);
  }), { numRuns: 500 });
});

test('a request made on the 32nd datagram of a turn (the last its poll reads) waits for the rest', () => {
  const loop = new Loop();
  loop.backlog = 100;
  const readWhenRan: number[] = [];
  loop.onDatagram = (n) => {
    if (n === PER_POLL) loop.barrier.whenDrained(() => readWhenRan.push(loop.read));
  };
  for (let i = 0; i < 10; i++) loop.turn();
  expect(readWhenRan).toEqual([100]);
});

test('a steady stream that never fills a poll batch does not hold it; one that always does, does (a flood)', () => {
  for (const [perTurn, runs] of [[PER_POLL - 1, true], [PER_POLL, false]] as const) {
    const loop = new Loop();
    let ran = false;
    loop.barrier.whenDrained(() => { ran = true; });
    for (let turn = 0; turn < 100; turn++) {
      loop.backlog += perTurn;
      loop.turn();
    }
    expect(ran).toBe(runs);
  }
});

test('a datagram read but handled later (an asynchronous hook) holds it until it is handled', () => {
  const loop = new Loop();
  let ran = false;
  let handled: (() => void) | null = null;
  loop.onDatagram = () => { handled = loop.barrier.handledLater(); };
  loop.backlog = 1;
  loop.barrier.whenDrained(() => { ran = true; });
  for (let turn = 0; turn < 5; turn++) loop.turn();
  expect(ran).toBe(false);
  handled!();
  loop.turn();
  loop.turn();
  expect(ran).toBe(true);
});

test('an idle loop runs it two turns after the request; cancel drops it', () => {
  const loop = new Loop();
  let ran = 0;
  loop.barrier.whenDrained(() => { ran++; });
  loop.turn();
  expect(ran).toBe(0);
  loop.turn();
  expect(ran).toBe(1);
  loop.barrier.whenDrained(() => { ran++; });
  loop.barrier.cancel();
  loop.turn();
  loop.turn();
  expect(ran).toBe(1);
});

test('on a real UDP socket: a request on the 32nd datagram (the last of its poll) of a backlog that built up while the loop was blocked runs after the last', async () => {
  const clock = new RealClock();
  const barrier = new ReadBarrier((fn) => clock.setImmediate(fn));
  const rx = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => rx.bind(0, '127.0.0.1', resolve));
  const COUNT = 150;
  let read = 0;
  // Datagrams read in each event-loop turn (between two immediates): libuv's batch, which POLL_BATCH must not exceed.
  const perTurn: number[] = [];
  let lastTurnRead = 0;
  const countTurns = (): void => {
    if (read > lastTurnRead) perTurn.push(read - lastTurnRead);
    lastTurnRead = read;
    if (read < COUNT) setImmediate(countTurns);
  };
  const done = new Promise<number>((resolve) => {
    rx.on('message', () => {
      read++;
      barrier.noteRead();
      if (read === 1) setImmediate(countTurns);
      if (read === PER_POLL) barrier.whenDrained(() => resolve(read));
    });
  });
  // Another process sends them while this one's loop is blocked (spawnSync), as peers do during a pause.
  const sender = `const s = require('dgram').createSocket('udp4'); let n = 0;
    for (let i = 0; i < ${COUNT}; i++) s.send(Buffer.from('d' + i), ${rx.address().port}, '127.0.0.1', () => { if (++n === ${COUNT}) s.close(); });`;
  const result = spawnSync(process.execPath, ['-e', sender], { timeout: 20_000 });
  expect(result.status).toBe(0);
  try {
    expect(await done).toBe(COUNT);
    expect(Math.max(...perTurn)).toBe(PER_POLL);
  } finally {
    rx.close();
    clock.clearAll();
  }
});
