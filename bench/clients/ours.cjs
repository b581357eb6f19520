/* eslint-disable @typescript-eslint/no-require-imports -- CommonJS on purpose: require() is what a pod pays. */
// Start-up as a pod runs it: require the package, then initialize() once, in a fresh process.
const t0 = performance.now();
const { VaultSecretManager } = require('@vault-config/core');
const t1 = performance.now();
const c1 = process.cpuUsage();
const env = {};
const manager = new VaultSecretManager({
  address: process.env.BENCH_ADDR,
  role: process.env.BENCH_ROLE,
  k8sAuthMountPoint: process.env.BENCH_MOUNT,
  path: process.env.BENCH_PATHS,
  tokenPath: process.env.BENCH_TOKEN_PATH,
  env,
  logger: false,
  revokeToken: false,
});
manager.initialize().then(() => {
  const t2 = performance.now();
  const cpu = process.cpuUsage(c1);
  require('./report.cjs').report({ t0, t1, t2, cpu }, Object.keys(env).length);
  // close() only releases sockets here; the numbers are taken.
  return manager.close();
});
