import type { OptionsSchema } from './plugin';

/**
 * Options the plugin host takes for every plugin, beside the plugin's own
 * schema (like Fastify's `pluginTimeout`). Written in the plugin's section of
 * koi.conf: `plugins { acc { hook_timeout 2s } }`. The one place their
 * defaults live.
 */
export const HOST_OPTIONS = {
  hook_timeout: {
    type: 'duration',
    description: 'how long each awaited hook tap of this plugin (onStart, onPromote, onServiceEvent, onShutdown, ...; not onFence) and each onClose may take; '
      + 'after it the tap is logged and skipped, so a hanging plugin can neither stall a promotion nor a shutdown',
    default: '5s',
    min: '10ms',
    max: '10m',
  },
} as const satisfies OptionsSchema;

/** The default `hook_timeout` in ms (HOST_OPTIONS is the source). */
export const DEFAULT_HOOK_TIMEOUT_MS = 5_000;
