/**
 * 3. Health throughput: autocannon against our health routes and a bare route of the same framework
 * serving the same bytes, each server in its own process, rounds alternated so drift on a shared
 * machine lands on both sides. Fastify: the plugin's route vs a route sending the same JSON text.
 * Nest: the plain controller (VaultHealthController) vs a bare controller returning the same object,
 * and the terminus indicator (the Nest example) reported beside it.
 */
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import autocannon from 'autocannon';
import { AUTH_MOUNT, ROLE, benchVault } from './lib/vault.mjs';
import { median, printTable, round } from './lib/stats.mjs';

const DURATION_S = 3;
const ROUNDS = 3;
const CONNECTIONS = 20;
const root = new URL('..', import.meta.url);

const freePort = () =>
  new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });

async function serve(args, env, cwd) {
  const port = await freePort();
  const child = spawn(process.execPath, args, {
    cwd: new URL(cwd, root),
    env: { PATH: process.env.PATH, HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'warn', ...env },
    stdio: 'ignore',
  });
  const url = `http://127.0.0.1:${port}/health`;
  const until = Date.now() + 20_000;
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

const load = async (url, seconds) =>
  (await autocannon({ url, connections: CONNECTIONS, duration: seconds })).requests.average;

/** Alternating rounds of ours and the bare route; the median requests/s of each. */
async function compare(ours, bare) {
  await load(ours.url, 1);
  await load(bare.url, 1);
  const o = [];
  const b = [];
  for (let i = 0; i < ROUNDS; i++) {
    o.push(await load(ours.url, DURATION_S));
    b.push(await load(bare.url, DURATION_S));
  }
  return { oursRps: median(o), bareRps: median(b) };
}

const bareFastify = (text, logger) => `
  const app = require('fastify')({ logger: ${logger} });
  const text = ${JSON.stringify(text)};
  app.get('/health', (_req, reply) => {
    reply.header('cache-control', 'no-store').type('application/json; charset=utf-8').send(text);
  });
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

// The plugin's route in an app with the bare route's settings: the route's own cost, nothing else.
const pluginFastify = `
  const app = require('fastify')({ logger: false });
  app.register(require('@vault-config/fastify').vaultPlugin, { healthRoute: true });
  app.listen({ host: process.env.HOST, port: Number(process.env.PORT) });`;

// The example app logs through pino at LOG_LEVEL: its bare peer gets the same logger.
const EXAMPLE_LOGGER = "{ level: process.env.LOG_LEVEL ?? 'info' }";

// The package's plain controller on the environment contract, nothing else in the app.
const plainNest = `
  require('reflect-metadata');
  const { Module } = require('@nestjs/common');
  const { NestFactory } = require('@nestjs/core');
  const { VaultConfigModule, VaultHealthController } = require('@vault-config/nestjs');
  class AppModule {}
  Module({ imports: [VaultConfigModule.forRoot({})], controllers: [VaultHealthController] })(AppModule);
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
  const results = {};
  const rows = [];
  const started = [];
  try {
    // Fastify: the plugin's route vs a route sending the same bytes, same app settings.
    const fastifyOurs = await serve(['-e', pluginFastify], env, 'apps/fastify-example/');
    started.push(fastifyOurs.child);
    const text = await (await fetch(fastifyOurs.url)).text();
    const fastifyBare = await serve(['-e', bareFastify(text, 'false')], {}, 'apps/fastify-example/');
    started.push(fastifyBare.child);
    results.fastify = { ...(await compare(fastifyOurs, fastifyBare)), target: 0.95 };
    fastifyOurs.child.kill();
    fastifyBare.child.kill();
    // The example app (pino logger) vs a bare route with the same logger settings.
    const example = await serve(['dist/main.js'], env, 'apps/fastify-example/');
    started.push(example.child);
    const exampleText = await (await fetch(example.url)).text();
    const exampleBare = await serve(
      ['-e', bareFastify(exampleText, EXAMPLE_LOGGER)],
      {},
      'apps/fastify-example/',
    );
    started.push(exampleBare.child);
    results.fastifyExample = { ...(await compare(example, exampleBare)), target: null };
    example.child.kill();
    exampleBare.child.kill();

    // Nest: the plain controller vs a bare controller returning the same object; terminus beside.
    const nestPlain = await serve(['-e', plainNest], env, 'apps/nest-example/');
    started.push(nestPlain.child);
    const body = await (await fetch(nestPlain.url)).json();
    const nestBare = await serve(['-e', bareNest(body)], {}, 'apps/nest-example/');
    started.push(nestBare.child);
    results.nestPlain = { ...(await compare(nestPlain, nestBare)), target: 0.9 };
    const nestTerminus = await serve(['dist/main.js'], env, 'apps/nest-example/');
    started.push(nestTerminus.child);
    results.nestTerminus = { ...(await compare(nestTerminus, nestBare)), target: null };
  } finally {
    for (const child of started) child.kill();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const labels = {
    fastify: 'fastify plugin route vs route sending the same bytes',
    fastifyExample: 'fastify example app (pino) vs bare route, same logger',
    nestPlain: 'nest VaultHealthController vs bare controller',
    nestTerminus: 'nest terminus indicator (example) vs bare controller',
  };
  for (const [id, r] of Object.entries(results)) {
    r.ratio = round(r.oursRps / r.bareRps, 3);
    rows.push({
      route: labels[id],
      ours_rps: round(r.oursRps),
      bare_rps: round(r.bareRps),
      ratio: r.ratio,
      target: r.target === null ? 'reported' : `≥ ${r.target}`,
    });
  }
  printTable(
    `Health throughput (autocannon, ${CONNECTIONS} connections, median of ${ROUNDS} alternating ${DURATION_S} s rounds)`,
    rows,
  );
  return {
    name: 'health-throughput',
    inputs: { connections: CONNECTIONS, durationS: DURATION_S, rounds: ROUNDS },
    ours: results,
    targets: { fastifyMin: 0.95, nestPlainMin: 0.9 },
    met: results.fastify.ratio >= 0.95 && results.nestPlain.ratio >= 0.9,
  };
}
