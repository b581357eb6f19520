/**
 * The seam for the database engine stand-in. The default does nothing, so creds are issued without
 * a real database role; a PostgreSQL backend creates and drops real roles.
 */
export interface DatabaseBackend {
  createUser(username: string, password: string, expiresAt: Date): Promise<void>;
  revokeUser(username: string): Promise<void>;
  renewUser?(username: string, expiresAt: Date): Promise<void>;
  close?(): Promise<void>;
}

export const noopDatabaseBackend: DatabaseBackend = {
  async createUser() {},
  async revokeUser() {},
};
