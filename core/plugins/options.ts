/** Plugin option validation lives in plugin-api (shared with `createTestContext()`). */
export { coerceOption, originPrefix, validatePluginOptions } from '../../plugin-api/option-validation';
export type { OptionsResult } from '../../plugin-api/option-validation';
