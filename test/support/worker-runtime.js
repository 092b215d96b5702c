'use strict';
/*
 * jest's runtime, with two changes for the test files of one worker:
 *
 * - The installed packages (node_modules/) are loaded once per worker and shared by every test
 *   file that does not mock modules (test/support/worker-sharing.js says which and why). The
 *   library and the tests are still loaded afresh for every file.
 * - V8 keeps the compiled code of what each file loads afresh: with the code cache of the worker's
 *   first compile of the same file with the same text (vm.compileFunction's cachedData), V8
 *   deserializes instead of compiling. jest's own compile still does everything else (its
 *   options, its errors); this only adds the cache options to the vm.compileFunction call it makes.
 */
const vm = require('vm');
const Runtime = require('jest-runtime').default;
const sharing = require('./worker-sharing');

/** filename + parameters -> the transformed text compiled and V8's code cache for it, per worker. */
const codeCache = new Map();

/**
 * A module with a dynamic import() keeps jest's compile: V8 takes the import callback from the
 * code cache, not from the compile that consumes it, so import() would fail from the second suite.
 */
const DYNAMIC_IMPORT = /\bimport\s*\(/;

function withCodeCache(compileFunction, source, filename) {
  return (code, params, options) => {
    if (code !== source || DYNAMIC_IMPORT.test(source)) return compileFunction(code, params, options);
    // V8 checks only the source's length against the cache: the text itself is compared here.
    const key = `${filename}\0${params.join(',')}`;
    const cached = codeCache.get(key);
    if (cached !== undefined && cached.source === source) {
      const compiled = compileFunction(code, params, { ...options, cachedData: cached.data });
      if (compiled.cachedDataRejected) codeCache.delete(key);
      return compiled;
    }
    const compiled = compileFunction(code, params, { ...options, produceCachedData: true });
    if (compiled.cachedDataProduced) codeCache.set(key, { source, data: compiled.cachedData });
    return compiled;
  };
}

class WorkerRuntime extends Runtime {
  constructor(...args) {
    super(...args);
    // Shared modules are bound to the shared global: a file on a global of its own gets its own.
    this.sharesModules = sharing.context !== undefined && this._environment.global === sharing.context;
    sharing.activeRuntime = this;
    // jest 30 compiles in its module executor; in any other layout jest's compile stays as it is.
    const executor = this.executor;
    if (typeof executor?.compile !== 'function') return;
    const jestCompile = executor.compile.bind(executor);
    executor.compile = (source, filename) => {
      const compileFunction = vm.compileFunction;
      vm.compileFunction = withCodeCache(compileFunction, source, filename);
      try {
        return jestCompile(source, filename);
      } finally {
        vm.compileFunction = compileFunction;
      }
    };
  }

  requireModuleOrMock(from, moduleName) {
    // A shared module's require() is bound to the runtime of the file that loaded it first: what
    // it loads later (aws-cdk-lib loads its submodules on first use) comes from the current file's.
    const active = sharing.activeRuntime;
    if (active !== this && active?.sharesModules && sharing.modules.has(from)) return active.requireModuleOrMock(from, moduleName);
    return super.requireModuleOrMock(from, moduleName);
  }

  requireModule(from, moduleName, options, isRequireActual) {
    if (!this.sharesModules || options?.isInternalModule || (moduleName && this._resolution.isCoreModule(moduleName))) {
      return super.requireModule(from, moduleName, options, isRequireActual);
    }
    const modulePath = this._resolution.resolveCjs(from, moduleName);
    if (!sharing.isShared(modulePath)) return super.requireModule(from, moduleName, options, isRequireActual);
    const known = sharing.modules.get(modulePath);
    if (known) return known.exports;
    const global = this._environment.global;
    const globalsBefore = new Set(Reflect.ownKeys(global));
    const exports = super.requireModule(from, moduleName, options, isRequireActual);
    for (const key of Reflect.ownKeys(global)) {
      if (!globalsBefore.has(key)) sharing.moduleGlobals.add(key);
    }
    const loaded = this.registries.getActiveCjsRegistry().get(modulePath);
    if (loaded?.loaded) sharing.modules.set(modulePath, loaded);
    return exports;
  }
}

module.exports = WorkerRuntime;
