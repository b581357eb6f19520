import { fileURLToPath } from 'node:url';
import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

const src = (pkg: string) => fileURLToPath(new URL(`./packages/${pkg}/src/index.ts`, import.meta.url));

export default defineConfig({
  // esbuild drops decorator metadata; swc keeps it so Nest's DI works in tests.
  plugins: [swc.vite({ module: { type: 'es6' } })],
  resolve: {
    alias: {
      '@vault-config/nestjs/health': fileURLToPath(
        new URL('./packages/nestjs/src/health/index.ts', import.meta.url),
      ),
      '@vault-config/pg/nestjs': fileURLToPath(new URL('./packages/pg/src/nestjs/index.ts', import.meta.url)),
      '@vault-config/pg/fastify': fileURLToPath(
        new URL('./packages/pg/src/fastify/index.ts', import.meta.url),
      ),
      '@vault-config/core': src('core'),
      '@vault-config/nestjs': src('nestjs'),
      '@vault-config/fastify': src('fastify'),
      '@vault-config/testing': src('testing'),
      '@vault-config/pg': src('pg'),
    },
  },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    // Each file runs in its own process, so files that change process.env cannot see each other.
    pool: 'forks',
    // Builds what the child-process suites run when it is missing: they never skip for want of it.
    globalSetup: ['./test/support/global-build.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
