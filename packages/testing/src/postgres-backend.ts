/**
 * The database engine against a real PostgreSQL, as Vault's postgresql plugin does it: a role per
 * lease (`CREATE ROLE … LOGIN PASSWORD … VALID UNTIL …`), `ALTER ROLE … VALID UNTIL` on renewal, and
 * on revocation or expiry its sessions ended and the role dropped.
 */
import pg from 'pg';
import type { DatabaseBackend } from './database';

const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;
const literal = (text: string) => `'${text.replace(/'/g, "''")}'`;

export function postgresDatabaseBackend(connectionString: string): DatabaseBackend {
  const pool = new pg.Pool({ connectionString, max: 2 });
  return {
    async createUser(username, password, expiresAt) {
      await pool.query(
        `CREATE ROLE ${ident(username)} WITH LOGIN PASSWORD ${literal(password)} VALID UNTIL ${literal(expiresAt.toISOString())}`,
      );
    },
    async renewUser(username, expiresAt) {
      await pool.query(`ALTER ROLE ${ident(username)} VALID UNTIL ${literal(expiresAt.toISOString())}`);
    },
    async revokeUser(username) {
      await pool.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1', [
        username,
      ]);
      await pool.query(`DROP ROLE IF EXISTS ${ident(username)}`);
    },
    async close() {
      await pool.end();
    },
  };
}
