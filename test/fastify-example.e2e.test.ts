import { describeExampleApp } from './support/example-e2e';

describeExampleApp('fastify-example');
