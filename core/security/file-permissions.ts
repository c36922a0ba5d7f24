/** Moved to plugin-api/file-permissions.ts (built-in plugins use it through the public API); kept so core imports stay short. */
export * from '../../plugin-api/file-permissions';
