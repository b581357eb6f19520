import { ConsoleLogger } from '@nestjs/common';
import { isVaultError } from '@vault-config/core';

/**
 * Nest's ExceptionHandler logs a failed bootstrap with its stack before `NestFactory.create` rejects.
 * For a VaultError the app prints one line itself (`err.toLogLine()`), so this logger drops that
 * duplicate; everything else is logged as by ConsoleLogger.
 */
export class VaultBootstrapLogger extends ConsoleLogger {
  override error(message: unknown, ...rest: unknown[]): void {
    if (isVaultError(message) && rest.at(-1) === 'ExceptionHandler') return;
    super.error(message, ...(rest as [string?, string?]));
  }
}
