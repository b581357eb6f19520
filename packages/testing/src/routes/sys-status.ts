import type { RequestContext } from '../http/context';
import { HttpError, unsupportedOperation } from '../http/errors';
import type { Reply } from '../http/envelope';
import type { DevState } from '../state';
import { nowSeconds } from '../util';

/** The Vault version the dev server reports. */
export const VAULT_VERSION = '1.19.0';

function codeParam(query: URLSearchParams, name: string, fallback: number): number {
  const raw = query.get(name);
  if (raw === null) return fallback;
  if (!/^-?\d+$/.test(raw)) throw new HttpError(400, []);
  return Number(raw);
}

function boolParam(query: URLSearchParams, name: string): boolean {
  const raw = query.get(name);
  if (raw === null || raw === '') return false;
  if (['true', '1', 't', 'T', 'TRUE', 'True'].includes(raw)) return true;
  if (['false', '0', 'f', 'F', 'FALSE', 'False'].includes(raw)) return false;
  throw new HttpError(400, []);
}

export function healthBody(state: DevState) {
  const unsealed = state.initialized && !state.sealed;
  return {
    initialized: state.initialized,
    sealed: !unsealed,
    standby: false,
    performance_standby: false,
    replication_performance_mode: 'disabled',
    replication_dr_mode: 'disabled',
    server_time_utc: nowSeconds(),
    version: VAULT_VERSION,
    enterprise: false,
    ...(unsealed ? { cluster_name: state.clusterName, cluster_id: state.clusterId } : {}),
    echo_duration_ms: 0,
    clock_skew_ms: 0,
    replication_primary_canary_age_ms: 0,
  };
}

/** GET/HEAD sys/health: first match of uninitialized → sealed → active (the dev server is never a standby). */
function health(ctx: RequestContext): Reply {
  if (ctx.method !== 'GET' && ctx.method !== 'HEAD') throw new HttpError(405, []);
  const { query, state } = ctx;
  // Parse every override first so a bad one is a 400 whatever the state.
  const active = codeParam(query, 'activecode', 200);
  const uninit = codeParam(query, 'uninitcode', 501);
  const sealedCode = codeParam(query, 'sealedcode', 503);
  for (const name of [
    'standbycode',
    'drsecondarycode',
    'performancestandbycode',
    'removedcode',
    'haunhealthycode',
  ]) {
    codeParam(query, name, 0);
  }
  boolParam(query, 'standbyok');
  boolParam(query, 'perfstandbyok');
  const status = !state.initialized ? uninit : state.sealed ? sealedCode : active;
  return { status, body: healthBody(state) };
}

function sealStatus(ctx: RequestContext): Reply {
  if (ctx.method !== 'GET') throw new HttpError(405, []);
  return sealStatusReply(ctx.state);
}

/**
 * `PUT sys/unseal` (http/sys_seal.go handleSysUnseal): `key` hex or base64, or `reset: true`; a
 * wrong key is 400 `Unseal failed, invalid key` (vault/barrier.go ErrBarrierInvalidKey); the
 * answer is the seal status. The dev server has one key share (threshold 1), like `vault server -dev`.
 */
function unseal(ctx: RequestContext): Reply {
  if (ctx.method !== 'PUT' && ctx.method !== 'POST') throw new HttpError(405, []);
  const { state } = ctx;
  const reset = ctx.body.reset === true;
  const key = typeof ctx.body.key === 'string' ? ctx.body.key : '';
  if (!reset && key === '')
    throw new HttpError(400, ["'key' must be specified in request body as JSON, or 'reset' set to true"]);
  if (reset || !state.sealed) return sealStatusReply(state);
  const bytes = /^(?:[0-9a-fA-F]{2})+$/.test(key)
    ? Buffer.from(key, 'hex')
    : /^[A-Za-z0-9+/]*={0,2}$/.test(key) && key.length % 4 === 0
      ? Buffer.from(key, 'base64')
      : undefined;
  if (!bytes) throw new HttpError(400, ["'key' must be a valid hex or base64 string"]);
  if (!bytes.equals(Buffer.from(state.unsealKey, 'base64')))
    throw new HttpError(400, ['Unseal failed, invalid key']);
  state.sealed = false;
  return sealStatusReply(state);
}

function sealStatusReply(state: DevState): Reply {
  const unsealed = state.initialized && !state.sealed;
  return {
    status: 200,
    body: {
      type: 'shamir',
      initialized: state.initialized,
      sealed: !unsealed,
      t: state.initialized ? 1 : 0,
      n: state.initialized ? 1 : 0,
      progress: 0,
      nonce: '',
      version: VAULT_VERSION,
      build_date: '2025-03-04T12:36:40Z',
      migration: false,
      ...(unsealed ? { cluster_name: state.clusterName, cluster_id: state.clusterId } : {}),
      recovery_seal: false,
      storage_type: 'inmem',
    },
  };
}

function init(ctx: RequestContext): Reply {
  if (ctx.method === 'GET') return { status: 200, body: { initialized: ctx.state.initialized } };
  if (ctx.method === 'PUT' || ctx.method === 'POST') {
    if (ctx.state.initialized) throw new HttpError(400, ['Vault is already initialized']);
    throw unsupportedOperation();
  }
  throw new HttpError(405, []);
}

/** The unauthenticated status endpoints, which answer even when sealed. Undefined for other paths. */
export function sysStatusRoute(ctx: RequestContext): Reply | undefined {
  switch (ctx.path) {
    case 'sys/health':
      return health(ctx);
    case 'sys/seal-status':
      return sealStatus(ctx);
    case 'sys/init':
      return init(ctx);
    case 'sys/unseal':
      return unseal(ctx);
    default:
      return undefined;
  }
}
