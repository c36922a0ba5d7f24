/** Moved to plugin-api/log-format.ts (built-in plugins use it through the public API); kept so core imports stay short. */
export * from '../../plugin-api/log-format';
