/** Runs a command in a fresh process and returns its wall time and the JSON line it printed last. */
import { spawn } from 'node:child_process';

export function runFresh(command, args, { env = {}, cwd } = {}) {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    const child = spawn(command, args, {
      cwd,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (err += c));
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = performance.now() - t;
      const last = out.trim().split('\n').pop() ?? '';
      if (code !== 0)
        return reject(new Error(`${command} ${args.join(' ')} exited ${code}: ${err.slice(-500)}`));
      try {
        resolve({ wallMs, ...JSON.parse(last) });
      } catch {
        reject(new Error(`${command} printed no JSON: ${out.slice(-300)} ${err.slice(-300)}`));
      }
    });
  });
}
