/**
 * Vitest global setup: the suites that run the built packages and example apps as child processes
 * need their dist/ output. When it is missing they do not skip: it is built here once (bounded),
 * and a build that still leaves it missing fails the run with what is absent.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Files the child-process suites start; each must exist before any test file runs. */
export const BUILT = [
  'packages/core/dist/index.cjs',
  'packages/core/dist/index.js',
  'apps/nest-example/dist/main.js',
  'apps/fastify-example/dist/main.js',
];

const BUILD_LIMIT_MS = 5 * 60_000;

const missing = () => BUILT.filter((file) => !existsSync(`${root}/${file}`));

export default function setup(): void {
  if (missing().length === 0) return;
  process.stdout.write(`[global-build] missing ${missing().join(', ')}: running pnpm build\n`);
  execFileSync('pnpm', ['build'], { cwd: root, stdio: 'inherit', timeout: BUILD_LIMIT_MS });
  const still = missing();
  if (still.length > 0) {
    throw new Error(`pnpm build did not produce ${still.join(', ')}; the child-process suites need them`);
  }
}
