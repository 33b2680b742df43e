// Prints one closing line, "vitest: N passed, N failed, N skipped", summed over vitest JSON reports.
// Exits 1 when any test failed, any report is missing, or (CI=true) when any test was skipped.
import { readFileSync } from 'node:fs';

let passed = 0;
let failed = 0;
let skipped = 0;
let broken = 0;
for (const file of process.argv.slice(2)) {
  try {
    const report = JSON.parse(readFileSync(file, 'utf8'));
    passed += report.numPassedTests;
    failed += report.numFailedTests;
    skipped += report.numPendingTests + (report.numTodoTests ?? 0);
    if (!report.success) broken += 1;
  } catch (err) {
    console.error(`summary: cannot read ${file}: ${err.message}`);
    broken += 1;
  }
}
if (process.env.CI === 'true' && skipped > 0) {
  console.error(`summary: ${skipped} skipped test(s) under CI=true count as a failure`);
}
console.log(`vitest: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || broken > 0 || (process.env.CI === 'true' && skipped > 0) ? 1 : 0);
