import { parseDuration, formatDuration, DurationSyntaxError } from '../../../core/config/durations';

describe('parseDuration', () => {
  it.each([
    ['0', 0], ['500', 500], ['250ms', 250], ['1s', 1_000], ['1.5s', 1_500], ['.5s', 500],
    ['2m', 120_000], ['1h', 3_600_000], ['1m30s', 90_000], ['1h30m', 5_400_000], [' 10S ', 10_000], ['0.4ms', 0],
  ])('%s → %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it('takes numbers as milliseconds (JSON/YAML)', () => {
    expect(parseDuration(1500)).toBe(1500);
    expect(parseDuration(2.6)).toBe(3);
  });

  it.each(['', 'abc', '5 minutes', '10x', '-5s', '1m30', '1..5s', 's', '1s2'])('rejects %j naming it', (text) => {
    expect(() => parseDuration(text)).toThrow(DurationSyntaxError);
    expect(() => parseDuration(text)).toThrow(`"${text}" is not a duration`);
  });

  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY])('rejects the number %p', (n) => {
    expect(() => parseDuration(n)).toThrow(DurationSyntaxError);
  });

  it('formats with the largest exact unit and round-trips', () => {
    for (const ms of [0, 1, 250, 1_000, 1_500, 90_000, 120_000, 1_800_000, 3_600_000, 86_400_000]) {
      expect(parseDuration(formatDuration(ms))).toBe(ms);
    }
    expect(formatDuration(1_800_000)).toBe('30m');
    expect(formatDuration(1_500)).toBe('1.5s');
    expect(formatDuration(250)).toBe('250ms');
  });
});
