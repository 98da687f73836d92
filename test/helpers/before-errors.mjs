// Preloaded by test/run.mjs (`node --import`) into the process of every test file.
// uvu 0.5.6 runs a file's test.before hooks inside try/finally and returns from the finally, so an error a before
// hook throws is dropped: the file shows "(0 / N)" and "Passed: 0", exits 0, and says nothing of why (a held lock, a
// port, a database that did not open). This wraps every hook registered with uvu's default `test.before` so that its
// error is printed, message and stack, and the process exits 1. before.each, after hooks and the tests' own errors
// uvu reports itself; they are left as they are.
import { test } from 'uvu';

const register = test.before;
const each = test.before.each;
let failed = false;
test.before = (fn) =>
  register(async (state) => {
    try {
      await fn(state);
    } catch (err) {
      failed = true;
      console.error(`\n[test.before] a before hook failed, so none of this file's tests ran:\n${err?.stack ?? err}\n`);
      throw err;
    }
  });
test.before.each = each;
// uvu sets process.exitCode from its own count when it ends, which a dropped before error leaves at 0.
process.on('exit', () => {
  if (failed) process.exitCode = 1;
});
