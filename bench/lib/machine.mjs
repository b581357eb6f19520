/** What the numbers were measured on. */
import { execFileSync } from 'node:child_process';
import os from 'node:os';

export function describeMachine() {
  let python = null;
  try {
    python = execFileSync('/usr/bin/python3', ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    // No Debian python: the reference peer is reported as not run.
  }
  return {
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cpus: os.cpus().length,
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    loadAverage: os.loadavg().map((x) => Math.round(x * 100) / 100),
    python,
  };
}
