'use strict';
/*
 * What the test files of one jest worker share (loaded once per worker, outside the test files'
 * sandboxes, by test/support/plain-global-environment.js and test/support/worker-runtime.js).
 *
 * jest gives every test file a fresh module registry, so every file evaluates aws-cdk-lib, cdktf
 * and the rest of node_modules again and runs them cold: a 100K synth takes about 450 ms in each
 * new file against about 90 ms once the same modules are warm. Here the files of a worker share
 * one global object and one instance of each module under node_modules/, so V8's compiled and
 * optimized code and its inline caches carry over from file to file. The library and the tests
 * themselves (lib/, test/, examples/) are still evaluated afresh in every file.
 *
 * A test file that mocks modules, resets the registry or inspects require.cache keeps jest's full
 * isolation: its own global object and its own copy of every module.
 */
const fs = require('fs');

const ISOLATING = /\bjest\.(?:mock|doMock|unmock|dontMock|resetModules|isolateModules|isolateModulesAsync|requireActual|createMockFromModule)\b|\brequire\.cache\b/;

const isolatedByFile = new Map();

/** Whether the test file needs jest's own isolation (it mocks or inspects modules). */
function needsIsolation(testPath) {
  if (!isolatedByFile.has(testPath)) isolatedByFile.set(testPath, ISOLATING.test(fs.readFileSync(testPath, 'utf8')));
  return isolatedByFile.get(testPath);
}

/** Modules every file of the worker shares: the installed packages. */
function isShared(modulePath) {
  return modulePath.includes('/node_modules/');
}

module.exports = {
  needsIsolation,
  isShared,
  /** The one global object of the worker's sharing test files, made on first use. */
  context: undefined,
  /** Shared modules by path: the module objects jest made when it first loaded them. */
  modules: new Map(),
  /** Keys of the shared global that shared modules defined while they loaded: they stay from file to file. */
  moduleGlobals: new Set(),
  /** The runtime of the test file the worker is running now. */
  activeRuntime: undefined,
};
