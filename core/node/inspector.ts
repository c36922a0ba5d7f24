/**
 * A node's NodeInspector (plugin-api/inspect.ts): read-only admin commands
 * answered by the node's own admin server, as if `koi` had asked over the
 * local socket, and the counters of the codec and the admin server.
 */
import { randomUUID } from 'node:crypto';
import type { AdminResult, NodeInspector } from '../../plugin-api';
import { READ_ONLY_ADMIN_COMMANDS } from '../../plugin-api';
import type { AdminServer } from '../admin/server';
import { ADMIN_SCHEMA_VERSION, parseAdminDocument } from '../admin/schema';
import type { WireCodec } from '../wire/types';

export interface InspectorSource {
  /** null when the node answers no admin requests (the simulator). */
  server(): AdminServer | null;
  codec: Pick<WireCodec, 'accepted' | 'rejected'>;
  leaseRemainingMs(): number | null;
}

/** Shown in the admin log as where the request came from. */
const FROM = 'plugin (inspect)';

export function nodeInspector(source: InspectorSource): NodeInspector {
  return {
    async query(command, args = []): Promise<AdminResult> {
      if (!(READ_ONLY_ADMIN_COMMANDS as readonly string[]).includes(command)) {
        return { exitCode: 2, text: `'${String(command)}' is not a read-only command (${READ_ONLY_ADMIN_COMMANDS.join(', ')})` };
      }
      const server = source.server();
      if (server === null) return { exitCode: 1, text: 'this node answers no admin requests' };
      const response = await server.handle(
        { kind: 'request', requestId: randomUUID(), command, args: [...args], hops: 0 }, FROM, { channel: 'local' },
      );
      // The document exactly as `koi --json` prints it (core/admin/cli.ts render()).
      const json = parseAdminDocument(response.json) ?? parseOrNull(response.json)
        ?? { schema: ADMIN_SCHEMA_VERSION, type: 'error', command, exitCode: response.exitCode, error: response.text };
      return { exitCode: response.exitCode, text: response.text, json };
    },
    metrics() {
      const server = source.server();
      return {
        datagramsAccepted: source.codec.accepted(),
        datagramsRejected: source.codec.rejected(),
        adminRequests: server ? server.requestCounts() : {},
        leaseRemainingMs: source.leaseRemainingMs(),
      };
    },
  };
}

function parseOrNull(json: string): unknown {
  try {
    return json ? JSON.parse(json) : null;
  } catch {
    return null;
  }
}
