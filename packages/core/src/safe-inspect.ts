/**
 * What `console.log(manager)`, `util.inspect` and JSON loggers see of a manager: its status only.
 * Its fields hold the secrets record, the Vault token and the HTTP client that carries it, and a
 * logged provider or a REPL would otherwise print them all.
 */
import type { VaultStatus } from './types';

const INSPECT = Symbol.for('nodejs.util.inspect.custom');

interface HasStatus {
  getStatus(): VaultStatus;
}

type Inspect = (value: unknown, options?: unknown) => string;

export function showStatusOnly(target: { prototype: HasStatus }): void {
  Object.defineProperty(target.prototype, INSPECT, {
    configurable: true,
    writable: true,
    value(this: HasStatus, _depth: number, options: unknown, inspect?: Inspect): string {
      const status = this.getStatus();
      const text = inspect ? inspect(status, options) : JSON.stringify(status);
      return `${this.constructor.name} ${text}`;
    },
  });
  Object.defineProperty(target.prototype, 'toJSON', {
    configurable: true,
    writable: true,
    value(this: HasStatus): VaultStatus {
      return this.getStatus();
    },
  });
}
