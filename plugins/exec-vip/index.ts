/**
 * Built-in plugin `exec-vip`: floating IP addresses as a service kind
 * (executor kind `vip`). A service directory holding a file named `vip`
 * is run by it. See docs/services.md, "Virtual IP services".
 * Needs iproute2, arping, ndisc6 and (for IPv6 announcements) ipv6toolkit.
 */
import { definePlugin, type KoiConfig } from '../../plugin-api';
import { createVipExecutor } from './executor';

export { createVipExecutor, VIP_FILE, type VipExecutorOptions } from './executor';
export { parseVipFile, VIP_DEFAULTS, VipFileError, type VipConfig } from './vip-file';

export default definePlugin({
  name: 'exec-vip',
  apply(koi) {
    let config: Readonly<KoiConfig> = koi.config;
    koi.hooks.onConfigReload.tap('exec-vip', (reload) => {
      config = reload.config;
    });
    const executor = createVipExecutor({
      clock: koi.clock,
      strictPermissions: () => config.service.strict_permissions,
      servicesFolder: () => config.service.folder,
    });
    koi.provide.executor(executor);
    koi.onClose(() => executor.close());
  },
});
