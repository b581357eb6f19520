// Prints one plain closing line ("Tests: N passed, N failed, N skipped") so CI logs state the count.
// Under CI (the CI variable set, as .ci/run does) a skipped or todo test fails the run: a suite that
// cannot run there must say why by failing, not disappear from the count.
export default class SummaryReporter {
  onTestRunEnd(testModules) {
    const counts = { passed: 0, failed: 0, skipped: 0 };
    const skipped = [];
    for (const mod of testModules) {
      for (const test of mod.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') counts.passed += 1;
        else if (state === 'failed') counts.failed += 1;
        else {
          counts.skipped += 1;
          skipped.push(`${mod.moduleId.replace(`${process.cwd()}/`, '')} > ${test.fullName}`);
        }
      }
    }
    process.stdout.write(
      `\nTests: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped\n`,
    );
    if (isCi() && skipped.length > 0) {
      process.stdout.write(
        `\nCI=${process.env.CI}: ${skipped.length} test(s) skipped, which CI does not allow:\n` +
          skipped.map((name) => `  - ${name}\n`).join(''),
      );
      process.exitCode = 1;
    }
  }
}

/** CI is set to anything but "", "0" or "false". */
export function isCi(env = process.env) {
  const value = (env.CI ?? '').trim().toLowerCase();
  return value !== '' && value !== '0' && value !== 'false';
}
