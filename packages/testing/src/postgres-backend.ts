/**
 * The database engine against a real PostgreSQL, as Vault's postgresql plugin does it: a role per
 * lease (`CREATE ROLE … LOGIN PASSWORD … VALID UNTIL …`), `ALTER ROLE … VALID UNTIL` on renewal, and
 * on revocation or expiry its sessions ended and the role dropped.
 */
import type { Pool } from 'pg';
import type { DatabaseBackend } from './database';

const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;
const literal = (text: string) => `'${text.replace(/'/g, "''")}'`;

export function postgresDatabaseBackend(connectionString: string): DatabaseBackend {
  // `pg` loads on first use, so the dev server (and its CLI) runs where pg is not installed.
  let pool: Promise<Pool> | undefined;
  const query = async (text: string, values?: unknown[]) => {
    pool ??= import('pg').then(
      ({ default: pg }) => new pg.Pool({ connectionString, max: 2 }),
      (error: unknown) => {
        // pg is an optional peer dependency: say which package to add rather than a resolver trace.
        throw new Error('postgresDatabaseBackend needs the "pg" package: npm install pg', { cause: error });
      },
    );
    return (await pool).query(text, values);
  };
  return {
    async createUser(username, password, expiresAt) {
      await query(
        `CREATE ROLE ${ident(username)} WITH LOGIN PASSWORD ${literal(password)} VALID UNTIL ${literal(expiresAt.toISOString())}`,
      );
    },
    async renewUser(username, expiresAt) {
      await query(`ALTER ROLE ${ident(username)} VALID UNTIL ${literal(expiresAt.toISOString())}`);
    },
    async revokeUser(username) {
      await query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1', [username]);
      await query(`DROP ROLE IF EXISTS ${ident(username)}`);
    },
    async close() {
      if (pool) await (await pool).end();
    },
  };
}
