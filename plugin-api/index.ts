/**
 * koi's public plugin API: the only module a third-party `koi-plugin-*`
 * package needs (`import { definePlugin } from 'koi-ha/plugin-api'`).
 */
export * from './status';
export * from './clock';
export * from './logger';
export * from './config';
export * from './messages';
export * from './providers';
export * from './hooks';
export * from './inspect';
export * from './plugin';
export * from './durations';
export * from './host-options';
export { createHooks, hooksForPlugin, TAP_FAILURES } from './tap-isolation';
export type { CreateHooksOptions, PluginTapInfo, TapFailure } from './tap-isolation';
export { validatePluginOptions, coerceOption } from './option-validation';
export type { OptionsResult } from './option-validation';
export * from './testing';
export * from './errors';
// Helpers the built-in plugins use, public so a third party's plugin gets the same:
export * from './address';
export * from './names';
export * from './log-format';
export * from './script-env';
export * from './file-permissions';
export * from './cluster-keys';
export * from './aes-gcm';
