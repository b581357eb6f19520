// What every start-up client prints once its keys are loaded, the same for each peer. Required after
// the clock and the CPU counters are read, so it costs no client any measured time.

/** t0 before the client's require, t1 after it, t2 when loaded; cpu = process.cpuUsage(at t1). */
function report({ t0, t1, t2, cpu }, keys) {
  console.log(
    JSON.stringify({
      importMs: t1 - t0,
      initMs: t2 - t1,
      initCpuMs: (cpu.user + cpu.system) / 1000,
      doneMs: t2,
      keys,
    }),
  );
}

module.exports = { report };
