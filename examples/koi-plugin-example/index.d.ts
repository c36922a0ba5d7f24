import type { KoiPlugin } from 'koi-ha/plugin-api';

export interface ExampleOptions {
  [key: string]: unknown;
  greeting: string;
  verbose: boolean;
}

declare const plugin: KoiPlugin<ExampleOptions>;
export = plugin;
