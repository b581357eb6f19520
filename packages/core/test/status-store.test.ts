import { firstValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { StatusStore } from '../src/status';
import type { VaultStatus } from '../src/types';

const initial: VaultStatus = {
  authenticated: false,
  secrets_loaded: false,
  vault_url: 'http://vault:8200',
  vault_path: 'ACME/DEV/MYAPP',
  vault_role: 'dev-myapp',
  state: 'loading',
  auth_method: 'kubernetes',
  keys: 0,
  loaded_at: null,
  token_expires_at: null,
  last_error: null,
};

describe('StatusStore', () => {
  it('serves the JSON of the current status, renewed by every change', () => {
    const store = new StatusStore(initial);
    expect(store.json('full')).toBe(JSON.stringify(store.get()));
    expect(store.json('minimal')).toBe('{"state":"loading"}');
    store.update({ state: 'ready', keys: 3 });
    expect(JSON.parse(store.json('full'))).toEqual({ ...initial, state: 'ready', keys: 3 });
    expect(store.json('minimal')).toBe('{"state":"ready"}');
  });

  it('status$ created late replays the current status, then every change, then completes', async () => {
    const store = new StatusStore(initial);
    store.update({ state: 'ready' });
    const seen = firstValueFrom(store.status$.pipe(toArray()));
    store.update({ state: 'degraded' });
    store.complete();
    expect((await seen).map((s) => s.state)).toEqual(['ready', 'degraded']);
  });

  it('status$ first read after complete() completes at once, as a completed subject does', async () => {
    const store = new StatusStore(initial);
    store.complete();
    expect(await firstValueFrom(store.status$.pipe(toArray()))).toEqual([]);
  });
});
