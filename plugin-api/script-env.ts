/**
 * The environment service scripts and native services get: a small fixed
 * set instead of the daemon's whole environment (which may hold secrets
 * and variables like LD_PRELOAD, NODE_OPTIONS or a PATH pointing somewhere
 * writable). docs/services.md "Environment" lists it.
 */

/** PATH of every script (the daemon's own PATH is not passed on). */
export const SCRIPT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Variables taken from the daemon's environment when set. */
export const INHERITED_VARIABLES = ['HOME', 'LANG', 'LC_ALL'] as const;

const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The names of `service.env_passthrough` ("NAME NAME", commas allowed). */
export function parsePassthrough(text: string): string[] {
  return text.split(/[\s,;]+/).filter((name) => name !== '');
}

/** Why `name` cannot be passed through, or null. */
export function passthroughNameProblem(name: string): string | null {
  return VARIABLE_NAME.test(name) ? null : `"${name}" is not an environment variable name ([A-Za-z_][A-Za-z0-9_]*)`;
}

/**
 * The environment of one event: PATH, HOME (`/` when the daemon has none),
 * LANG and LC_ALL when set, the listed pass-through variables that are set,
 * then `koi` (the KOI_* variables of the event), which win over everything.
 */
export function scriptEnvironment(
  koi: Readonly<Record<string, string>>,
  passthrough: readonly string[],
  daemonEnv: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  const env: Record<string, string> = { PATH: SCRIPT_PATH, HOME: daemonEnv.HOME ?? '/' };
  for (const name of [...INHERITED_VARIABLES, ...passthrough]) {
    const value = daemonEnv[name];
    if (value !== undefined && passthroughNameProblem(name) === null) env[name] = value;
  }
  return { ...env, ...koi };
}
