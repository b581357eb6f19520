/**
 * One logger shape over Nest's Logger, pino, console and Fastify's `log`. Callers pass key names and
 * codes only, never values.
 */
import type { VaultLogger } from './types';

export interface CoreLogger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

const PREFIX = '[vault-config] ';

/**
 * Key names as the start-up and change lines show them: whole. Names are not secrets and operators
 * need to see what loaded; values never reach a logger.
 */
export function describeKeys(keys: readonly string[], limit = 20): string {
  const shown = keys.slice(0, limit).join(', ');
  return keys.length > limit ? `${shown}, … (${keys.length - limit} more)` : shown;
}

const noop = () => undefined;

export function createLogger(logger: VaultLogger | false | undefined): CoreLogger {
  if (logger === false) return { debug: noop, info: noop, warn: noop, error: noop };
  const target = logger ?? console;
  // Call as methods: pino and Nest's Logger need `this`.
  const info = (m: string) => {
    if (typeof target.info === 'function') target.info(m);
    else if (typeof target.log === 'function') target.log(m);
  };
  return {
    debug: (m) => {
      if (logger !== undefined && typeof target.debug === 'function') target.debug(PREFIX + m);
    },
    info: (m) => info(PREFIX + m),
    warn: (m) => target.warn(PREFIX + m),
    error: (m) => target.error(PREFIX + m),
  };
}
