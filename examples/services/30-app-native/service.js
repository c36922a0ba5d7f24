"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
const promises_1 = require("node:fs/promises");
const node_path_1 = require("node:path");
function stateFile(ctx) {
    return (0, node_path_1.join)(ctx.env.KOI_RUN_DIR ?? '/tmp', `koi-app-${ctx.env.KOI_NODE_NAME ?? 'node'}.json`);
}
async function setRole(ctx, role) {
    const file = stateFile(ctx);
    await (0, promises_1.mkdir)((0, node_path_1.join)(file, '..'), { recursive: true });
    await (0, promises_1.writeFile)(file, JSON.stringify({ role, since: new Date().toISOString() }), { signal: ctx.signal });
    ctx.log.info({ role }, `app is now ${role}`);
}
/** Waits `ms`, or rejects when koi aborts the event (timeout or a stop request). */
function warmUp(ms, signal) {
    return new Promise((resolve, reject) => {
        const timer = setTimeout(resolve, ms);
        signal.addEventListener('abort', () => {
            clearTimeout(timer);
            reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
        }, { once: true });
    });
}
const service = {
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
        await (0, promises_1.rm)(stateFile(ctx), { force: true });
        ctx.log.info('app stopped');
    },
    async status(ctx) {
        let text;
        try {
            text = await (0, promises_1.readFile)(stateFile(ctx), 'utf8');
        }
        catch {
            return 92; // not running
        }
        const { role } = JSON.parse(text);
        return role === 'master' ? 90 : 91;
    },
    async failed(ctx) {
        ctx.log.warn(`node failed (state ${ctx.env.KOI_STATE}); the app will be stopped`);
    },
};
exports.default = service;
