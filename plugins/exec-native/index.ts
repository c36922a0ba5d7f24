/**
 * Built-in plugin `exec-native`: runs services written as JavaScript or
 * TypeScript modules (executor kind `native`). See docs/services.md.
 */
import { definePlugin } from '../../plugin-api';
import { createNativeExecutor } from './executor';

export { createNativeExecutor, NATIVE_MODULE_FILES } from './executor';
export { loadNativeService, NativeServiceLoadError } from './loader';

export default definePlugin({
  name: 'exec-native',
  apply(koi) {
    koi.provide.executor(createNativeExecutor());
  },
});
