/**
 * The real-process cluster harness lives in scripts/lib/cluster.ts so that
 * the demo, the benchmarks and the chaos/fuzz scripts (compiled, no jest) use it too; tests import it from here.
 */
export * from '../../scripts/lib/cluster';
export { Cluster as E2ECluster } from '../../scripts/lib/cluster';
