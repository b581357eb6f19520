/**
 * The status store: the current status, of the documented shape (docs/architecture.md), and
 * `status$` replaying it. Every read is a fresh plain object built in the documented key order (the
 * first five are the reference service's). rxjs is loaded only when `status$` is first read; the
 * health bodies are serialized once per change, not once per request.
 */
import type { BehaviorSubject, Observable } from 'rxjs';
import { isVaultError } from './errors';
import { rxjs } from './lazy';
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
  private current: VaultStatus;
  private subject: BehaviorSubject<VaultStatus> | undefined;
  private observable: Observable<VaultStatus> | undefined;
  private completed = false;
  /** JSON of the full and the minimal health body for `current`; cleared by every change. */
  private fullJson: string | undefined;
  private minimalJson: string | undefined;

  constructor(initial: VaultStatus) {
    this.current = buildStatus(initial);
  }

  /** Replays the current status to each new subscriber, then every change; completes on close. */
  get status$(): Observable<VaultStatus> {
    if (!this.observable) {
      this.subject = new (rxjs().BehaviorSubject)(this.current);
      if (this.completed) this.subject.complete();
      this.observable = this.subject.asObservable();
    }
    return this.observable;
  }

  get(): VaultStatus {
    return buildStatus(this.current);
  }

  /** The health body as JSON text: `full` is the status, `minimal` is `{ state }` only. */
  json(form: 'full' | 'minimal'): string {
    if (form === 'minimal') return (this.minimalJson ??= JSON.stringify({ state: this.current.state }));
    return (this.fullJson ??= JSON.stringify(this.current));
  }

  update(patch: Partial<VaultStatus>): VaultStatus {
    const next = buildStatus({ ...this.current, ...patch });
    this.current = next;
    this.fullJson = undefined;
    this.minimalJson = undefined;
    this.subject?.next(next);
    return buildStatus(next);
  }

  complete(): void {
    this.completed = true;
    this.subject?.complete();
  }
}
