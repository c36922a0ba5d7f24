// One koi wire endpoint, run INSIDE a network namespace by the netns tests:
//   ip netns exec NS node test/netns/ns-node.js '<json config>'
// Broadcasts a heartbeat every 100 ms for `durationMs`, prints every decoded
// message as a JSON line, then a summary line, and exits.
'use strict';
require('./ts-register');
const { randomUUID } = require('node:crypto');
const { RealClock } = require('../../core/clock.ts');
const { createWireCodec } = require('../../core/wire/codec.ts');
const { deriveClusterKey } = require('../../core/wire/key.ts');
const { createNodeCipher } = require('../../plugins/crypto-node/index.ts');
const { createUdpTransport } = require('../../plugins/udp/index.ts');

const config = JSON.parse(process.argv[2]);
const out = (obj) => process.stdout.write(JSON.stringify(obj) + '\n');
const logger = {
  trace() {}, debug() {},
  info: (o, m) => out({ log: 'info', msg: typeof o === 'string' ? o : m }),
  warn: (o, m) => out({ log: 'warn', msg: typeof o === 'string' ? o : m }),
  error: (o, m) => out({ log: 'error', msg: typeof o === 'string' ? o : m }),
  fatal: (o, m) => out({ log: 'fatal', msg: typeof o === 'string' ? o : m }),
  child() { return logger; },
};

async function main() {
  const clock = new RealClock();
  const id = randomUUID();
  const codec = createWireCodec({ cipher: createNodeCipher(deriveClusterKey('netns-secret', 5, 100000)), clusterId: 5, senderId: id, clock });
  const transport = createUdpTransport({
    transport: config.entries, port: config.port, interface: config.interface, logger, clock, reuseAddress: false,
  });
  await transport.start((data, from) => {
    const r = codec.decode(data, from);
    if (r.ok) out({ from, sender: r.envelope.senderId, name: r.envelope.message.name, seq: r.envelope.seq });
  });
  out({ ready: true, id, local: transport.localAddresses() });
  const timer = setInterval(() => transport.broadcast(codec.encode({ kind: 'heartbeat', name: config.name, flags: 3, seenAddress: '', uptimeMs: 1 })), 100);
  await new Promise((r) => setTimeout(r, config.durationMs));
  clearInterval(timer);
  await transport.close();
  out({ done: true, rejected: codec.rejected(), accepted: codec.accepted() });
}

main().catch((err) => {
  out({ fatal: String(err && err.message) });
  process.exitCode = 1;
});
