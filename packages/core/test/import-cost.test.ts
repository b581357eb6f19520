/**
 * What loading the built package costs: no rxjs, no lossless-json, until an observable is read.
 * Counts modules in a fresh process (the package is built before the tests run).
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const pkg = fileURLToPath(new URL('..', import.meta.url));

function loaded(script: string): string[] {
  const out = execFileSync(process.execPath, ['-e', script], { cwd: pkg, encoding: 'utf8' });
  return JSON.parse(out) as string[];
}

const matching = `(re) => Object.keys(require.cache).filter((k) => re.test(k))`;

// dist/ is built by the global setup when missing (test/support/global-build.ts): never skipped.
describe('import cost of the built package', () => {
  it('require() loads neither rxjs nor lossless-json', () => {
    const names = loaded(`
      require('./dist/index.cjs');
      console.log(JSON.stringify((${matching})(/node_modules\\/(rxjs|lossless-json)\\//)));`);
    expect(names).toEqual([]);
  });

  it('reading status$ loads rxjs, and the observable works', () => {
    const names = loaded(`
      const { VaultSecretManager } = require('./dist/index.cjs');
      const m = new VaultSecretManager({});
      let state;
      m.status$.subscribe((s) => (state = s.state)).unsubscribe();
      if (state !== 'loading') throw new Error('no replay: ' + state);
      console.log(JSON.stringify((${matching})(/node_modules\\/.*rxjs\\/dist\\/cjs\\/index\\.js$/)));`);
    expect(names).toHaveLength(1);
  });
});
