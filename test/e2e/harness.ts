/**
 * The real-process cluster harness lives in scripts/lib/cluster.ts so that
 * `npm run demo` (compiled, no jest) can use it too; tests import it from here.
 */
export * from '../../scripts/lib/cluster';
