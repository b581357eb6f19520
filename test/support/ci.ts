/** Whether this run is CI's (CI set to anything but "", "0" or "false"): there nothing may skip. */
export function isCi(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = (env.CI ?? '').trim().toLowerCase();
  return value !== '' && value !== '0' && value !== 'false';
}
