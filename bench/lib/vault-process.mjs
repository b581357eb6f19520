/** Starts lib/vault-child.mjs and talks to it over IPC. */
import { fork } from 'node:child_process';

export async function vaultProcess(options) {
  const child = fork(new URL('./vault-child.mjs', import.meta.url), [JSON.stringify(options)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const next = (key) =>
    new Promise((resolve, reject) => {
      const onMessage = (msg) => {
        if (msg && key in msg) {
          child.off('message', onMessage);
          resolve(msg[key]);
        }
      };
      child.on('message', onMessage);
      child.once('exit', (code) => reject(new Error(`bench Vault process exited (${code})`)));
    });
  const ready = await next('ready');
  return {
    ...ready,
    stats: () => (child.send('stats'), next('stats')),
    close: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.send('close');
      }),
  };
}
