/**
 * A Nest app outside the workspace, as a user gets it: our packages packed with `pnpm pack`,
 * installed with plain npm next to @nestjs/* from the registry (npm's cache kept in the same temp
 * dir), its sources taken from the nestjs README's file blocks, compiled with tsc.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end (bounded), never throwing on a non-zero exit. */
export function run(
  command: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { cwd: options.cwd, env: options.env ?? process.env, timeout: options.timeoutMs ?? 120_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** `<!-- file: path -->` followed by a ```ts block: the README's complete example files. */
export function readmeFiles(readme: string): Map<string, string> {
  const files = new Map<string, string>();
  const pattern = /<!-- file: (\S+) -->\s*```ts\n([\s\S]*?)```/g;
  for (const match of readme.matchAll(pattern)) files.set(match[1]!, match[2]!);
  return files;
}

/** `pnpm pack`s each package into `dir`: name → `file:` spec for the app's package.json. */
export async function packTarballs(dir: string, packages: string[]): Promise<Record<string, string>> {
  const tarballs: Record<string, string> = {};
  for (const pkg of packages) {
    const packed = await run('pnpm', ['pack', '--pack-destination', dir], {
      cwd: join(ROOT, 'packages', pkg),
    });
    if (packed.code !== 0) throw new Error(`pnpm pack ${pkg} failed:\n${packed.stderr}`);
    const file = readdirSync(dir).find((name) => name.startsWith(`vault-config-${pkg}-`));
    if (!file) throw new Error(`pnpm pack ${pkg} wrote no tarball`);
    tarballs[`@vault-config/${pkg}`] = `file:${file}`;
  }
  return tarballs;
}

/** Plain `npm install` in `dir`, npm's cache kept inside it. */
export async function npmInstall(dir: string): Promise<void> {
  const cache = join(dir, '.npm-cache');
  const installed = await run(
    'npm',
    ['install', '--no-audit', '--no-fund', '--loglevel=error', '--cache', cache],
    {
      cwd: dir,
      env: { ...process.env, npm_config_cache: cache },
      timeoutMs: 240_000,
    },
  );
  if (installed.code !== 0) throw new Error(`npm install failed:\n${installed.stderr}`);
}

const COMPILER_OPTIONS = {
  target: 'ES2022',
  strict: true,
  experimentalDecorators: true,
  emitDecoratorMetadata: true,
  skipLibCheck: true,
  types: ['node'],
};

export interface ConsumerApp {
  dir: string;
  readmeFiles: string[];
  close(): void;
}

/** Packs, writes and installs the app; `extraFiles` are test-only sources beside the README's. */
export async function createConsumerApp(extraFiles: Record<string, string>): Promise<ConsumerApp> {
  const dir = mkdtempSync(join(tmpdir(), 'vault-nest-consumer-'));
  try {
    const tarballs = await packTarballs(dir, ['core', 'nestjs', 'testing']);
    const readme = readmeFiles(readFileSync(join(ROOT, 'packages/nestjs/README.md'), 'utf8'));
    for (const [path, text] of [...readme, ...Object.entries(extraFiles)]) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify({
        name: 'nest-consumer',
        private: true,
        version: '0.0.0',
        dependencies: {
          '@nestjs/common': '^11.0.0',
          '@nestjs/config': '^4.0.0',
          '@nestjs/core': '^11.0.0',
          '@nestjs/platform-express': '^11.0.0',
          '@nestjs/testing': '^11.0.0',
          '@types/node': '^20.19.0',
          'reflect-metadata': '^0.2.2',
          rxjs: '^7.8.2',
          ...tarballs,
        },
      }),
    );
    // The app's own build (CommonJS, as `nest new` sets up), and a bundler-resolution check.
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          ...COMPILER_OPTIONS,
          module: 'nodenext',
          moduleResolution: 'nodenext',
          outDir: 'dist',
          rootDir: '.',
        },
        include: ['src', 'test'],
      }),
    );
    writeFileSync(
      join(dir, 'tsconfig.bundler.json'),
      JSON.stringify({
        compilerOptions: { ...COMPILER_OPTIONS, module: 'esnext', moduleResolution: 'bundler', noEmit: true },
        include: ['src', 'test'],
      }),
    );
    await npmInstall(dir);
    return {
      dir,
      readmeFiles: [...readme.keys()],
      close: () => rmSync(dir, { recursive: true, force: true }),
    };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
