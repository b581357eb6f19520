import { describeExampleApp } from './support/example-e2e';

// Terminus: { status, info, error, details: { vault: { status: 'up', ...the status object } } }.
describeExampleApp('nest-example', (body) => {
  const { status: _terminus, ...vault } =
    (body.details as Record<string, Record<string, unknown>>).vault ?? {};
  return vault;
});
