import type { KoiPlugin } from 'koi-ha/plugin-api';

export interface WebhookOptions {
  [key: string]: unknown;
  url: string;
  kinds: string[];
  timeout: number;
}

declare const plugin: KoiPlugin<WebhookOptions>;
export = plugin;
