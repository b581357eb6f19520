/**
 * What loading the built package costs: no rxjs, no lossless-json, until an observable is read;
 * node-vault without axios and debug, which it requires at load but never calls with our options.
 * Counts modules in a fresh process (the package is built before the tests run).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const pkg = fileURLToPath(new URL('..', import.meta.url));

function run(script: string, env: NodeJS.ProcessEnv = process.env): { stdout: string; stderr: string } {
  const child = spawnSync(process.execPath, ['-e', script], { cwd: pkg, encoding: 'utf8', env });
  if (child.status !== 0) throw new Error(`child failed: ${child.stderr}`);
  return { stdout: child.stdout, stderr: child.stderr };
}

function loaded(script: string): string[] {
  return JSON.parse(run(script).stdout) as string[];
}

/** node-vault's factory as the package loaded it (the same cached module), and `require` from its folder. */
const fromNodeVault = `
  const { createRequire } = require('node:module');
  const nodeVaultFile = createRequire(require.resolve('./dist/index.cjs')).resolve('node-vault');
  const requireFromNodeVault = createRequire(nodeVaultFile);`;

const matching = `(re) => Object.keys(require.cache).filter((k) => re.test(k))`;

// dist/ is built by the global setup when missing (test/support/global-build.ts): never skipped.
describe('import cost of the built package', () => {
  it('require() loads neither rxjs nor lossless-json', () => {
    const names = loaded(`
      require('./dist/index.cjs');
      console.log(JSON.stringify((${matching})(/node_modules\\/(rxjs|lossless-json)\\//)));`);
    expect(names).toEqual([]);
  });

  it('require() loads node-vault but not axios, debug or what they pull in', () => {
    const names = loaded(`
      require('./dist/index.cjs');
      console.log(JSON.stringify((${matching})(/node_modules\\/(node-vault|axios|debug|form-data|follow-redirects)\\//)
        .map((k) => k.replace(/.*node_modules\\//, ''))));`);
    expect(names).toEqual(['node-vault/src/index.js', 'node-vault/src/commands.js']);
  });

  it('import() of the ESM build does not load axios either', () => {
    const child = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import { createRequire } from 'node:module';
         await import('./dist/index.js');
         const require = createRequire(import.meta.url);
         console.log(JSON.stringify(Object.keys(require.cache).filter((k) => /node_modules\\/(node-vault|axios)\\//.test(k)).length));`,
      ],
      { cwd: pkg, encoding: 'utf8' },
    );
    expect(child.stderr).toBe('');
    expect(JSON.parse(child.stdout)).toBe(2); // node-vault's two files
  });

  it("after the import, anyone's require('axios') and require('debug') get the real modules", () => {
    const out = loaded(`
      require('./dist/index.cjs');
      ${fromNodeVault}
      const axios = requireFromNodeVault('axios');
      const debug = requireFromNodeVault('debug');
      const { isProxy } = require('node:util').types;
      console.log(JSON.stringify([
        String(isProxy(axios)),
        String(isProxy(debug)),
        String(axios.isAxiosError(new axios.AxiosError('x'))),
        typeof debug.enable,
      ]));`);
    expect(out).toEqual(['false', 'false', 'true', 'function']);
  });

  it('a node-vault client on its own defaults (axios, debug) still sends requests and logs', async () => {
    const { stdout, stderr } = run(
      `
      require('./dist/index.cjs');
      ${fromNodeVault}
      const nodeVault = require(nodeVaultFile);
      const server = require('node:http').createServer((req, res) => {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ initialized: true, sealed: false, standby: false, path: req.url }));
      });
      server.listen(0, '127.0.0.1', async () => {
        const vault = nodeVault({ endpoint: 'http://127.0.0.1:' + server.address().port });
        const health = await vault.health();
        server.close();
        const axiosLoaded = Boolean(require.cache[requireFromNodeVault.resolve('axios')]);
        console.log(JSON.stringify([health.path, String(axiosLoaded)]));
      });`,
      { ...process.env, DEBUG: 'node-vault' },
    );
    expect(JSON.parse(stdout)).toEqual(['/v1/sys/health', 'true']);
    // node-vault's own debug logger (loaded at its first line) printed the request.
    expect(stderr).toMatch(/node-vault GET .*\/v1\/sys\/health/);
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
