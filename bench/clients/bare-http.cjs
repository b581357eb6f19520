/* eslint-disable @typescript-eslint/no-require-imports -- CommonJS on purpose: require() is what a pod pays. */
// The physical limit: the same two round trips with nothing but node:http (keep-alive) and JSON.parse.
const t0 = performance.now();
const http = require('node:http');
const { readFileSync } = require('node:fs');
const t1 = performance.now();
const c1 = process.cpuUsage();
const agent = new http.Agent({ keepAlive: true });
const base = new URL(process.env.BENCH_ADDR);

function call(method, path, headers, body) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: base.hostname, port: base.port, method, path: `/v1/${path}`, headers, agent },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function main() {
  const jwt = readFileSync(process.env.BENCH_TOKEN_PATH, 'utf8').trim();
  const payload = JSON.stringify({ role: process.env.BENCH_ROLE, jwt });
  const login = await call(
    'POST',
    `auth/${process.env.BENCH_MOUNT}/login`,
    { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
    payload,
  );
  const token = login.auth.client_token;
  const reads = await Promise.all(
    process.env.BENCH_PATHS.split(',').map((p) => call('GET', `kv/data/${p}`, { 'x-vault-token': token })),
  );
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
