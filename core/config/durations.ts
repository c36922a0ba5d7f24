/** Durations are shared with plugin options: one parser, in plugin-api. */
export { DurationSyntaxError, formatDuration, parseDuration } from '../../plugin-api/durations';
