import type { RequestContext } from '../http/context';
import { invalidToken, noHandler, permissionDenied } from '../http/errors';
import type { Reply } from '../http/envelope';
import { VAULT_VERSION } from './sys-status';

/**
 * Path help synopses, from the plugins' HelpSynopsis strings (vault-plugin-secrets-kv path_*.go,
 * vault/token_store.go, vault-plugin-auth-kubernetes, vault/logical_system_paths.go). Matched in order.
 */
const SYNOPSES: [RegExp, string][] = [
  [/^[^/]+\/data\//, 'Write, Patch, Read, and Delete data in the Key-Value Store.'],
  [/^[^/]+\/metadata\//, 'Configures settings for the KV store'],
  [
    /^[^/]+\/subkeys\//,
    'Read the structure of a secret entry from the Key-Value store with the values removed.',
  ],
  [/^[^/]+\/config$/, 'Configures settings for the KV store'],
  [/^auth\/token\//, 'Token store operations.'],
  [/^auth\/[^/]+\/login$/, 'Authenticates Kubernetes service accounts with Vault.'],
  [/^auth\/[^/]+\/role\//, 'Register an role with the backend.'],
  [/^sys\/mounts/, 'List the currently mounted backends.'],
  [/^sys\/auth/, 'List the currently enabled credential backends.'],
  [/^sys\/polic/, 'List the configured access control policies.'],
  [/^sys\//, 'System endpoints used for control, policy and debugging.'],
];

/**
 * `?help=1` (http/help.go handleHelp): needs a valid token, answers `{help, openapi, see_also}` at the
 * top level (respondOk of the help data), and an unknown mount as an unknown route. The OpenAPI
 * document is a stub naming the path; the real one describes every field.
 */
export function help(ctx: RequestContext): Reply {
  if (!ctx.rawToken) throw permissionDenied();
  if (!ctx.state.tokens.get(ctx.rawToken)) throw invalidToken();
  const path = ctx.path;
  const known =
    path.startsWith('sys/') ||
    path.startsWith('auth/token/') ||
    /^auth\/([^/]+)\//.test(path) ||
    ctx.state.findMount(path) !== undefined;
  const authMount = /^auth\/([^/]+)\//.exec(path)?.[1];
  if (!known || (authMount && authMount !== 'token' && !ctx.state.authMountExists(authMount)))
    throw noHandler(path);
  const synopsis = SYNOPSES.find(([re]) => re.test(path))?.[1] ?? 'No help available for this path.';
  return {
    status: 200,
    body: {
      help: `## DESCRIPTION\n\n${synopsis}\n\n## PATHS\n\n    ^${path}$\n        ${synopsis}\n`,
      openapi: {
        openapi: '3.0.2',
        info: { title: 'HashiCorp Vault API', version: VAULT_VERSION, license: { name: 'BUSL-1.1' } },
        paths: { [`/${path}`]: { description: synopsis } },
        components: { schemas: {} },
      },
      see_also: null,
    },
  };
}
