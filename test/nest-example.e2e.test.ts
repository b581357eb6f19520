import { describeExampleApp, describeExampleShutdown } from './support/example-e2e';

// Terminus: { status, info, error, details: { vault: { status: 'up', ...the status object } } }.
describeExampleApp('nest-example', (body) => {
  const { status: _terminus, ...vault } =
    (body.details as Record<string, Record<string, unknown>>).vault ?? {};
  return vault;
});
// With a refresh loop running: its timers must not keep the process alive.
describeExampleShutdown('nest-example', ['SIGTERM', 'SIGINT'], { VAULT_REFRESH_INTERVAL: '1' });
