/**
 * The node's hooks: created by plugin-api's tap isolation (one
 * implementation, shared with `createTestContext()` so plugin tests see the
 * same isolation as the daemon).
 */
export { createHooks, hooksForPlugin, TAP_FAILURES } from '../plugin-api/tap-isolation';
export type { CreateHooksOptions, PluginTapInfo, TapFailure } from '../plugin-api/tap-isolation';
