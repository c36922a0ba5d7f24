/** Moved to plugin-api/names.ts (built-in plugins use it through the public API); kept so core imports stay short. */
export * from '../../plugin-api/names';
