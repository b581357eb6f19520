/**
 * The status store: a BehaviorSubject of the documented status shape (docs/architecture.md). Every read is a fresh plain object
 * built in the documented key order (the first five are the reference service's).
 */
import { BehaviorSubject, type Observable } from 'rxjs';
import { isVaultError } from './errors';
import type { VaultLastError, VaultStatus } from './types';

export function buildStatus(s: VaultStatus): VaultStatus {
  return {
    authenticated: s.authenticated,
    secrets_loaded: s.secrets_loaded,
    vault_url: s.vault_url,
    vault_path: s.vault_path,
    vault_role: s.vault_role,
    state: s.state,
    auth_method: s.auth_method,
    keys: s.keys,
    loaded_at: s.loaded_at,
    token_expires_at: s.token_expires_at,
    last_error: s.last_error ? { ...s.last_error } : null,
  };
}

/**
 * Secret-free summary: our errors' messages are secret-free by construction, and the status form
 * leaves out Vault's response text; other errors are named only.
 */
export function toLastError(error: unknown, at = new Date()): VaultLastError {
  if (isVaultError(error))
    return { name: error.name, code: error.code, message: error.statusMessage, at: at.toISOString() };
  const name = error instanceof Error ? error.name : 'Error';
  return { name, code: 'UNKNOWN', message: `${name} (details withheld)`, at: at.toISOString() };
}

export class StatusStore {
  private readonly subject: BehaviorSubject<VaultStatus>;
  readonly status$: Observable<VaultStatus>;

  constructor(initial: VaultStatus) {
    this.subject = new BehaviorSubject(buildStatus(initial));
    this.status$ = this.subject.asObservable();
  }

  get(): VaultStatus {
    return buildStatus(this.subject.getValue());
  }

  update(patch: Partial<VaultStatus>): VaultStatus {
    const next = buildStatus({ ...this.subject.getValue(), ...patch });
    this.subject.next(next);
    return buildStatus(next);
  }

  complete(): void {
    this.subject.complete();
  }
}
