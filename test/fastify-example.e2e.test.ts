import { describeExampleApp, describeExampleShutdown } from './support/example-e2e';

describeExampleApp('fastify-example');
describeExampleShutdown('fastify-example', ['SIGTERM'], { LOG_LEVEL: 'warn' });
