import { readFileSync } from 'node:fs';
import type { SeedFile, VaultDevServer } from './types';

export function loadSeedFile(filePath: string): SeedFile {
  return JSON.parse(readFileSync(filePath, 'utf8')) as SeedFile;
}

/** Applies a seed in dependency order: mounts, secrets, policies, kubernetes auth. */
export function applySeed(server: VaultDevServer, seed: SeedFile): void {
  for (const [mount, spec] of Object.entries(seed.mounts ?? {})) server.enableKv(mount, spec.version ?? 2);
  for (const [mount, paths] of Object.entries(seed.secrets ?? {})) {
    for (const [path, data] of Object.entries(paths)) server.writeSecret(mount, path, data);
  }
  for (const [name, hcl] of Object.entries(seed.policies ?? {})) server.writePolicy(name, hcl);
  for (const [mount, spec] of Object.entries(seed.kubernetes ?? {})) {
    server.enableKubernetesAuth(mount, spec.issuer ? { issuer: spec.issuer } : {});
    for (const [role, config] of Object.entries(spec.roles)) server.writeKubernetesRole(mount, role, config);
  }
}
