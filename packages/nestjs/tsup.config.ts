import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts', 'src/health/index.ts'],
  // The health entry imports the core manager token from the main entry's chunk.
  splitting: true,
  format: ['cjs', 'esm'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
});
