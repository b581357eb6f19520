import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts', 'src/nestjs/index.ts', 'src/fastify/index.ts'],
  // The framework entries share the pool code with the main entry's chunk.
  splitting: true,
  format: ['cjs', 'esm'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
  // Peers stay imports: the app's own copies are used.
  external: [
    'pg',
    '@nestjs/common',
    '@vault-config/core',
    '@vault-config/nestjs',
    '@vault-config/fastify',
    'fastify',
    'fastify-plugin',
  ],
});
