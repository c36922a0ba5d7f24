/**
 * A native koi service written in TypeScript (see docs/services.md).
 *
 * It stands in for an application that keeps its role in a state file:
 * `${KOI_RUN_DIR:-/tmp}/koi-app-<node>.json`. koi runs `service.js`, the
 * compiled form of this file (`npx tsc -p examples/services/30-app-native`);
 * both are committed, and a test checks they match.
 *
 * The import is type-only, so the compiled module needs nothing from koi at
 * run time (`npm run build` first: the types come from dist/).
 */
import type { NativeService, NativeServiceContext } from 'koi-ha/plugin-api';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

type Role = 'slave' | 'master';

function stateFile(ctx: NativeServiceContext): string {
  return join(ctx.env.KOI_RUN_DIR ?? '/tmp', `koi-app-${ctx.env.KOI_NODE_NAME ?? 'node'}.json`);
}

async function setRole(ctx: NativeServiceContext, role: Role): Promise<void> {
  const file = stateFile(ctx);
  await mkdir(join(file, '..'), { recursive: true });
  await writeFile(file, JSON.stringify({ role, since: new Date().toISOString() }), { signal: ctx.signal });
  ctx.log.info({ role }, `app is now ${role}`);
}

/** Waits `ms`, or rejects when koi aborts the event (timeout or a stop request). */
function warmUp(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    }, { once: true });
  });
}

const service: NativeService = {
  async start(ctx) {
    await warmUp(50, ctx.signal);
    await setRole(ctx, 'slave');
  },
  async promote(ctx) {
    await setRole(ctx, 'master');
  },
  async demote(ctx) {
    await setRole(ctx, 'slave');
  },
  async stop(ctx) {
    await rm(stateFile(ctx), { force: true });
    ctx.log.info('app stopped');
  },
  async status(ctx) {
    let text: string;
    try {
      text = await readFile(stateFile(ctx), 'utf8');
    } catch {
      return 92; // not running
    }
    const { role } = JSON.parse(text) as { role: Role };
    return role === 'master' ? 90 : 91;
  },
  async failed(ctx) {
    ctx.log.warn(`node failed (state ${ctx.env.KOI_STATE}); the app will be stopped`);
  },
};

export default service;
