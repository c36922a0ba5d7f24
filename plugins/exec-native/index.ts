/**
 * Built-in plugin `exec-native`: runs services written as JavaScript or
 * TypeScript modules (executor kind `native`). See docs/services.md.
 */
import { definePlugin, type KoiConfig, parsePassthrough } from '../../plugin-api';
import { createNativeExecutor } from './executor';

export { createNativeExecutor, NATIVE_MODULE_FILES, type NativeExecutorOptions } from './executor';
export { loadNativeService, NativeServiceLoadError } from './loader';

export default definePlugin({
  name: 'exec-native',
  apply(koi) {
    let config: Readonly<KoiConfig> = koi.config;
    koi.hooks.onConfigReload.tap('exec-native', (reload) => {
      config = reload.config;
    });
    koi.provide.executor(createNativeExecutor({
      strictPermissions: () => config.service.strict_permissions,
      servicesFolder: () => config.service.folder,
      envPassthrough: () => parsePassthrough(config.service.env_passthrough),
    }));
  },
});
