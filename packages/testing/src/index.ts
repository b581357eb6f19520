export type * from './types';
export { startVaultDevServer, type StartOptions } from './dev-server';
export { noopDatabaseBackend, type DatabaseBackend } from './database';
export { applySeed, loadSeedFile } from './seed';
export { DEFAULT_ISSUER } from './jwt';
export { postgresDatabaseBackend } from './postgres-backend';
export * from './test-environment';
