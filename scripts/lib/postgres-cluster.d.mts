export interface PostgresCluster {
  /** Superuser URL, e.g. `postgres://postgres:…@127.0.0.1:PORT/postgres`. */
  url: string;
  stop(): Promise<void>;
}
export function postgresAvailable(): boolean;
export function startPostgres(): Promise<PostgresCluster>;
