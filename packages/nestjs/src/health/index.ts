export { VaultHealthIndicator } from './vault-health.indicator';
