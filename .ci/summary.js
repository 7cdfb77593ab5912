// Prints "N passed, N failed" from jest's --json output; exits 1 if the file is missing or the
// run executed no test at all (a green run that tested nothing must not pass).
const fs = require('node:fs');

const file = process.argv[2];
let results;
try {
  results = JSON.parse(fs.readFileSync(file, 'utf8'));
} catch (err) {
  console.error(`ci: no jest results at ${file}: ${err.message}`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}
const passed = results.numPassedTests;
// Suites that failed to run (syntax errors, setup crashes) count as failures too.
const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
