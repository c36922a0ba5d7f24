/**
 * The one error a plugin load can end in. It names the plugin and why, so
 * the daemon's start message reads like "plugin example: not found (...)".
 */
import { ErrorCode, KoiError } from '../../plugin-api/errors';
export type PluginErrorReason =
  | 'not-found'
  | 'bad-export'
  | 'apply-threw'
  | 'bad-options'
  | 'slot-conflict'
  | 'slot-empty'
  | 'incompatible'
  | 'missing-dependency'
  | 'command-conflict';

export class PluginError extends KoiError {
  /** Plugin name as written in the configuration (or the default slot filler). */
  readonly plugin: string;
  readonly reason: PluginErrorReason;
  /** One line per problem (bad options: `file:line: plugins.x.y: what is wrong`; not found: places looked). */
  readonly details: string[];

  constructor(plugin: string, reason: PluginErrorReason, message: string, details: string[] = [], options?: { cause?: unknown }) {
    super(ErrorCode.PLUGIN, `plugin ${plugin}: ${message}`, options);
    this.plugin = plugin;
    this.reason = reason;
    this.details = details;
  }

  /** The message and every detail line, for stderr. */
  format(): string {
    return [this.message, ...this.details.map((d) => `  ${d}`)].join('\n');
  }
}
