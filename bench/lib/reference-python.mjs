/**
 * The reference service's Python code runs on Debian's python3-hvac. Installed here when missing and
 * this user may (root, or sudo without a password); otherwise the peer is reported as not run, with
 * the reason, and the bench goes on.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const PYTHON = '/usr/bin/python3';

/** Where reference_manager.py lives: VAULT_REFERENCE_DIR, or the shared folder beside the checkout. */
export function referenceDir() {
  return (
    process.env.VAULT_REFERENCE_DIR ?? fileURLToPath(new URL('../../../shared/reference/', import.meta.url))
  );
}

const hasHvac = () => {
  try {
    execFileSync(PYTHON, ['-c', 'import hvac'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

function canSudo() {
  try {
    execFileSync('sudo', ['-n', 'true'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function aptInstall(sudo) {
  const run = (...args) =>
    execFileSync(sudo ? 'sudo' : 'apt-get', sudo ? ['-n', 'apt-get', ...args] : args, {
      stdio: 'ignore',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      timeout: 300_000,
    });
  try {
    run('install', '-y', 'python3-hvac');
  } catch {
    run('update');
    run('install', '-y', 'python3-hvac');
  }
}

/** `{ ok: true }`, or `{ ok: false, reason }` saying plainly why the Python peer cannot run. */
export function ensureReferencePython() {
  if (!existsSync(`${referenceDir()}/reference_manager.py`))
    return {
      ok: false,
      reason: `reference_manager.py not found in ${referenceDir()} (set VAULT_REFERENCE_DIR)`,
    };
  if (!existsSync(PYTHON)) return { ok: false, reason: `${PYTHON} missing (Debian's python3 is needed)` };
  if (hasHvac()) return { ok: true };
  const root = process.getuid?.() === 0;
  if (!root && !canSudo())
    return {
      ok: false,
      reason: 'python3-hvac is not installed and this user cannot install it (not root, no sudo)',
    };
  console.log('installing python3-hvac (apt-get) for the reference peer...');
  try {
    aptInstall(!root);
  } catch (error) {
    return { ok: false, reason: `apt-get install python3-hvac failed: ${error.message.split('\n')[0]}` };
  }
  return hasHvac()
    ? { ok: true }
    : { ok: false, reason: 'python3-hvac installed but `import hvac` still fails' };
}
