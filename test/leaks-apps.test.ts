/**
 * No canary printed by the example apps as child processes, with DEBUG=* and the most verbose log
 * level (see test/support/fault-apps.ts): a kubernetes-auth start-up and a token-auth start-up with
 * the root token (both serving /health), and failing start-ups whose inputs hold canaries (a JWT
 * for an unbound service account, a login answer echoing the JWT, a denied read, a secret pasted as a
 * key name, a VAULT_ADDR with ?token=). Two at a time.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { APPS, appEntry, inPool, runApp, type AppName, type AppRun } from './support/fault-apps';
import { assertNoLeak } from './support/fault-leaks';
import { CANARY, type Env, type World, startWorld } from './support/fault-world';

interface Scenario {
  name: string;
  setup(world: World): Env;
  ok: boolean;
}

const scenarios: Scenario[] = [
  { name: 'kubernetes auth loads', setup: () => ({}), ok: true },
  {
    name: 'token auth with the root token loads',
    setup: (w) => ({
      VAULT_ROLE: undefined,
      VAULT_K8S_AUTH_MOUNT_POINT: undefined,
      VAULT_K8S_TOKEN_PATH: undefined,
      VAULT_TOKEN: w.server.rootToken,
    }),
    ok: true,
  },
  {
    name: 'login rejected for an unbound service account',
    setup: (w) => ({
      VAULT_K8S_TOKEN_PATH: w.server.writeServiceAccountTokenFile(join(w.dir, 'unbound'), {
        namespace: 'not-bound',
        serviceAccount: CANARY.serviceAccount,
      }),
    }),
    ok: false,
  },
  {
    name: 'a login error that echoes the JWT',
    setup: (w) => {
      w.server.addFault(
        { type: 'status', status: 400, body: { errors: [`bad jwt ${w.jwt}`] } },
        { path: /\/login$/ },
      );
      return {};
    },
    ok: false,
  },
  {
    name: 'a denied read with the root token',
    setup: (w) => {
      w.server.writePolicy('none', 'path "nothing/*" { capabilities = ["read"] }');
      return {
        VAULT_ROLE: undefined,
        VAULT_K8S_AUTH_MOUNT_POINT: undefined,
        VAULT_TOKEN: w.server.createToken({ policies: ['none'] }),
      };
    },
    ok: false,
  },
  {
    name: 'a secret pasted as a key name',
    setup: (w) => {
      w.server.writeSecret('kv', w.env.VAULT_PATH as string, {
        [`DATABASE_URL=postgres://app:${CANARY.dbPassword}@db/app`]: '',
      });
      return {};
    },
    ok: false,
  },
  {
    name: 'a VAULT_ADDR carrying ?token=',
    setup: (w) => ({ VAULT_ADDR: `${w.server.address}/?token=${CANARY.rootToken}` }),
    ok: false,
  },
];

const cases = scenarios.flatMap((scenario) => APPS.map((app) => ({ scenario, app })));
const results = new Map<string, { run: AppRun; secrets: string[] }>();
const key = (s: Scenario, app: AppName) => `${app}: ${s.name}`;

describe('leaks (example apps)', () => {
  beforeAll(async () => {
    await inPool(
      cases.map(({ scenario, app }) => async () => {
        const world = await startWorld();
        try {
          const env = { ...world.env, ...scenario.setup(world) };
          const run = await runApp(appEntry(app), env, 12_000);
          const secrets = [...world.secrets(), ...(env.VAULT_TOKEN ? [env.VAULT_TOKEN] : [])];
          results.set(key(scenario, app), { run, secrets });
        } finally {
          await world.close();
        }
      }),
      2,
    );
  }, 120_000);

  it.each(cases.map(({ scenario, app }) => [key(scenario, app), scenario, app] as const))(
    '%s',
    (_name, scenario, app) => {
      const { run, secrets } = results.get(key(scenario, app)) as { run: AppRun; secrets: string[] };
      const output = `${run.stdout}\n${run.stderr}`;
      if (scenario.ok) expect(run.health?.status, output).toBe(200);
      else expect(run.code, output).not.toBe(0);
      expect(output.trim().length, 'the app printed something to check').toBeGreaterThan(0);
      assertNoLeak([run.stdout, run.stderr, run.health?.body ?? ''], secrets);
    },
  );
});
