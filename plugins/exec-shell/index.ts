/**
 * Built-in plugin `exec-shell`: runs services made of shell scripts
 * (executor kind `shell`). See docs/services.md.
 */
import { definePlugin, type KoiConfig, parsePassthrough } from '../../plugin-api';
import { createShellExecutor } from './executor';

export { createShellExecutor, type ShellExecutorOptions } from './executor';
export { permissionProblems } from './permissions';
export { groupMembers, groupAlive, signalGroup, type GroupMember } from './process-group';
export { LineSplitter } from './lines';

export default definePlugin({
  name: 'exec-shell',
  apply(koi) {
    let config: Readonly<KoiConfig> = koi.config;
    koi.hooks.onConfigReload.tap('exec-shell', (reload) => {
      config = reload.config;
    });
    koi.provide.executor(createShellExecutor({
      strictPermissions: () => config.service.strict_permissions,
      servicesFolder: () => config.service.folder,
      envPassthrough: () => parsePassthrough(config.service.env_passthrough),
      logger: koi.logger,
    }));
  },
});
