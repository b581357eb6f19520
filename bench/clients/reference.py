# The reference service's own start-up code (reference_manager.py on hvac), unmodified, in a fresh
# process: VaultSecretManager().initialize() for the first path; further paths are read the way it
# reads one (its _fetch_secrets) and injected, one after another.
import json
import os
import sys
import time

t0 = time.perf_counter()
sys.path.insert(0, os.environ["BENCH_REFERENCE_DIR"])
from reference_manager import VaultSecretManager  # noqa: E402  (imports hvac)

t1 = time.perf_counter()
c1 = time.process_time()
paths = os.environ["BENCH_PATHS"].split(",")
os.environ.update(
    VAULT_ADDR=os.environ["BENCH_ADDR"],
    VAULT_ROLE=os.environ["BENCH_ROLE"],
    VAULT_PATH=paths[0],
    VAULT_K8S_AUTH_MOUNT_POINT=os.environ["BENCH_MOUNT"],
)
before = set(os.environ)
manager = VaultSecretManager()
manager.sa_token_path = os.environ["BENCH_TOKEN_PATH"]
manager.initialize()
for path in paths[1:]:
    manager.vault_path = path
    manager._inject_to_environment(manager._fetch_secrets())
t2 = time.perf_counter()
c2 = time.process_time()
print(
    json.dumps(
        {
            "importMs": (t1 - t0) * 1000,
            "initMs": (t2 - t1) * 1000,
            "initCpuMs": (c2 - c1) * 1000,
            "keys": len(set(os.environ) - before),
        }
    )
)
