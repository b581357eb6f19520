/**
 * 3. Health throughput: autocannon against each example's /health vs a bare route of the same
 * framework returning the same JSON, with the same settings.
 */
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import autocannon from 'autocannon';
import { AUTH_MOUNT, ROLE, benchVault } from './lib/vault.mjs';
import { printTable, round } from './lib/stats.mjs';

const DURATION_S = 4;
const CONNECTIONS = 20;
const root = new URL('..', import.meta.url);

const freePort = () =>
  new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });

async function serve(args, env, cwd = root) {
  const port = await freePort();
  const child = spawn(process.execPath, args, {
    cwd,
    env: { PATH: process.env.PATH, HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'warn', ...env },
    stdio: 'ignore',
  });
  const url = `http://127.0.0.1:${port}/health`;
  const until = Date.now() + 15_000;
  while (Date.now() < until) {
    if (
      await fetch(url).then(
        (r) => r.ok,
        () => false,
      )
    )
      return { url, child };
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill();
  throw new Error(`${args.join(' ')} did not serve ${url}`);
}

async function rps(url) {
  await autocannon({ url, connections: CONNECTIONS, duration: 1 }); // warm-up
  const result = await autocannon({ url, connections: CONNECTIONS, duration: DURATION_S });
  return result.requests.average;
}

const bareFastify = (body) => `
  const app = require('fastify')({ logger: false });
  const body = ${JSON.stringify(body)};
  app.get('/health', async (_req, reply) => { reply.header('cache-control', 'no-store'); return body; });
  app.listen({ host: process.env.HOST, port: Number(process.env.PORT) });`;

const bareNest = (body) => `
  require('reflect-metadata');
  const { Controller, Get, Module } = require('@nestjs/common');
  const { NestFactory } = require('@nestjs/core');
  const body = ${JSON.stringify(body)};
  class HealthController { check() { return body; } }
  Controller('health')(HealthController);
  Get()(HealthController.prototype, 'check', Object.getOwnPropertyDescriptor(HealthController.prototype, 'check'));
  class AppModule {}
  Module({ controllers: [HealthController] })(AppModule);
  NestFactory.create(AppModule, { logger: false }).then((app) => app.listen(Number(process.env.PORT), process.env.HOST));`;

export async function healthBench() {
  const { server, paths, tokenPath, dir } = await benchVault({ paths: 1 });
  server.writeSecret('kv', paths[0], { DATABASE_URL: 'postgres://bench@127.0.0.1:5432/bench' });
  const env = {
    VAULT_ADDR: server.address,
    VAULT_ROLE: ROLE,
    VAULT_PATH: paths[0],
    VAULT_K8S_AUTH_MOUNT_POINT: AUTH_MOUNT,
    VAULT_K8S_TOKEN_PATH: tokenPath,
  };
  const rows = [];
  const results = {};
  for (const [name, example, bareScript, cwd] of [
    ['fastify', 'apps/fastify-example/dist/main.js', bareFastify, 'apps/fastify-example'],
    ['nest', 'apps/nest-example/dist/main.js', bareNest, 'apps/nest-example'],
  ]) {
    const ours = await serve([example], env);
    const body = await (await fetch(ours.url)).json();
    const oursRps = await rps(ours.url);
    ours.child.kill();
    // The bare app runs from the example's folder so it resolves the same framework copy.
    const bare = await serve(['-e', bareScript(body)], {}, new URL(`../${cwd}/`, import.meta.url));
    const bareRps = await rps(bare.url);
    bare.child.kill();
    const ratio = oursRps / bareRps;
    results[name] = { oursRps, bareRps, ratio };
    rows.push({
      framework: name,
      ours_rps: round(oursRps),
      bare_rps: round(bareRps),
      ratio: round(ratio, 3),
      target: '≥ 0.9',
    });
  }
  await server.close();
  rmSync(dir, { recursive: true, force: true });
  printTable(`Health throughput (autocannon, ${CONNECTIONS} connections, ${DURATION_S} s)`, rows);
  return {
    name: 'health-throughput',
    inputs: { connections: CONNECTIONS, durationS: DURATION_S },
    ours: results,
    targets: { ratioMin: 0.9 },
    met: Object.values(results).every((r) => r.ratio >= 0.9),
  };
}
