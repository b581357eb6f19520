/** PostgreSQL for the suites that need one: the shared cluster helper, and when a suite may skip. */
import {
  postgresAvailable,
  startPostgres,
  type PostgresCluster,
} from '../../scripts/lib/postgres-cluster.mjs';
import { isCi } from './ci';

export type TestPostgres = PostgresCluster;
export const startTestPostgres = startPostgres;

/**
 * Whether a PostgreSQL suite skips: only where PostgreSQL is missing outside CI. Under CI it runs
 * and fails with the install command (`.ci/run` installs Debian's package).
 */
export function skipWithoutPostgres(): boolean {
  return !postgresAvailable() && !isCi();
}
