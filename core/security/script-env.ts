/** Moved to plugin-api/script-env.ts (built-in plugins use it through the public API); kept so core imports stay short. */
export * from '../../plugin-api/script-env';
