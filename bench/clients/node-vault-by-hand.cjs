/* eslint-disable @typescript-eslint/no-require-imports -- CommonJS on purpose: require() is what a pod pays. */
// What a developer writes with node-vault alone: log in, then read every path in parallel.
const { readFileSync } = require('node:fs');
const t0 = performance.now();
const nodeVault = require('node-vault');
const t1 = performance.now();
const c1 = process.cpuUsage();

async function main() {
  const vault = nodeVault({ endpoint: process.env.BENCH_ADDR, apiVersion: 'v1' });
  const jwt = readFileSync(process.env.BENCH_TOKEN_PATH, 'utf8').trim();
  const login = await vault.kubernetesLogin({
    role: process.env.BENCH_ROLE,
    jwt,
    mount_point: process.env.BENCH_MOUNT,
  });
  vault.token = login.auth.client_token;
  const reads = await Promise.all(process.env.BENCH_PATHS.split(',').map((p) => vault.read(`kv/data/${p}`)));
  const env = {};
  for (const r of reads) for (const [k, v] of Object.entries(r.data.data)) env[k] = String(v);
  return env;
}
main().then((env) => {
  const t2 = performance.now();
  const cpu = process.cpuUsage(c1);
  require('./report.cjs').report({ t0, t1, t2, cpu }, Object.keys(env).length);
  process.exit(0);
});
