/** Type-level checks, enforced by `pnpm typecheck` (tsc): the decorator and the options are typed. */
import Fastify from 'fastify';
import type { Observable } from 'rxjs';
import { expectTypeOf } from 'vitest';
import type { VaultStatus } from '@vault-config/core';
import vaultPluginDefault, { vaultPlugin, type VaultPluginOptions } from '../src';

const app = Fastify();
void app.register(vaultPlugin, { required: ['DATABASE_URL'], healthRoute: '/health' });
void app.register(vaultPluginDefault, {});

expectTypeOf(app.vault.get('X')).toEqualTypeOf<string | undefined>();
expectTypeOf(app.vault.secrets).toEqualTypeOf<Readonly<Record<string, string>>>();
expectTypeOf(app.vault.getStatus()).toEqualTypeOf<VaultStatus>();
expectTypeOf(app.vault.get_status).returns.toEqualTypeOf<VaultStatus>();
expectTypeOf(app.vault.status$).toEqualTypeOf<Observable<VaultStatus>>();
expectTypeOf<VaultPluginOptions['healthRoute']>().toEqualTypeOf<boolean | string | undefined>();

// @ts-expect-error healthRoute takes a boolean or a path
void app.register(vaultPlugin, { healthRoute: 1 });
// @ts-expect-error unknown options are refused
void app.register(vaultPlugin, { requierd: ['X'] });
// @ts-expect-error secrets are read-only
app.vault.secrets.X = 'y';
