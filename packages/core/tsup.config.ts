import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['cjs', 'esm'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
  // No shims: lazy.ts picks __filename (CJS) or import.meta.url (ESM) itself, and a shim's
  // import.meta.url would break an app that bundles the ESM build into CommonJS.
  shims: false,
  esbuildOptions(options, { format }) {
    // The CJS build never reaches lazy.ts's import.meta.url (__filename is defined there).
    if (format === 'cjs') options.logOverride = { ...options.logOverride, 'empty-import-meta': 'silent' };
  },
});
