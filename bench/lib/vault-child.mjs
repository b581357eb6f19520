/** A bench dev server in its own process, so the clients measured do not share its CPU. */
import { rmSync } from 'node:fs';
import { benchVault } from './vault.mjs';

const { paths = 1, rateLimit = 0 } = JSON.parse(process.argv[2] ?? '{}');
const vault = await benchVault({ paths });
// With enable_rate_limit_response_headers on, so that refused pods are told Retry-After.
if (rateLimit > 0) vault.server.setRateLimit(rateLimit, { responseHeaders: true });
process.send({ ready: { address: vault.server.address, paths: vault.paths, tokenPath: vault.tokenPath } });
process.on('message', async (msg) => {
  if (msg === 'stats') {
    const requests = vault.server.requests;
    process.send({
      stats: {
        requests: requests.length,
        rejected: requests.filter((r) => r.status === 429).length,
        // How many requests reached Vault in the first second: 1,000 pods arriving on time send ~2,000.
        firstSecond: requests.filter((r) => r.start - requests[0].start < 1000).length,
      },
    });
  } else if (msg === 'close') {
    await vault.server.close();
    rmSync(vault.dir, { recursive: true, force: true });
    process.exit(0);
  }
});
