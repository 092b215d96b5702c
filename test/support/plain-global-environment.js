'use strict';
/*
 * jest's Node environment, with one change: the test file's global object is an ordinary object
 * (vm.constants.DONT_CONTEXTIFY, in the Node 20 this project runs on) instead of a contextified
 * proxy. Every global lookup in a contextified context (Math, Object, JSON …) goes through
 * interceptors that V8 cannot inline, which made the hashing and the CloudFormation diffs in these suites two to five
 * times slower than the same code in a plain `node` process.
 *
 * The base environment builds its context as usual; this one then builds a plain one, gives it
 * what the base put on its global beyond the language's own built-ins (process, Buffer, timers,
 * jest's globals …), and points jest's mock and timer helpers at it. The test files of a worker
 * that share its installed packages (test/support/worker-sharing.js) share this global too, so
 * that those modules and the files see the same built-ins: each file starts it clean of what the
 * files before it left there.
 *
 * Creation stacks (a stack that constructs, cdktf and aws-cdk-lib capture on a plain object for
 * every token and element) are formatted by V8's own rules instead of jest's, which maps every
 * frame through source maps (cdktf ships inline ones): about 15 s of CPU per run. Errors keep
 * jest's formatting, so a failing test still points into the TypeScript source.
 */
const vm = require('vm');
const { TestEnvironment: NodeEnvironment } = require('jest-environment-node');
const { ModuleMocker } = require('jest-mock');
const { LegacyFakeTimers, ModernFakeTimers } = require('@jest/fake-timers');
const sharing = require('./worker-sharing');

/** Globals the base environment deliberately shares with the outer context (see jest-environment-node). */
const SHARED_FROM_OUTSIDE = ['Buffer', 'ArrayBuffer', 'Uint8Array'];

/** The names and symbols of the language's own built-ins, by plain global. */
const builtIns = new WeakMap();

function newPlainContext() {
  const plain = vm.createContext(vm.constants.DONT_CONTEXTIFY);
  builtIns.set(plain, new Set(Reflect.ownKeys(plain)));
  plain.Error.stackTraceLimit = 100;
  plain.Error.prepareStackTrace = (thrown, callSites) => {
    // jest installs its formatter on this realm's Error, after the environment is built.
    if (thrown instanceof plain.Error && typeof Error.prepareStackTrace === 'function') return Error.prepareStackTrace(thrown, callSites);
    return plain.Error.prototype.toString.call(thrown) + callSites.map(site => `\n    at ${site}`).join('');
  };
  return plain;
}

class PlainGlobalEnvironment extends NodeEnvironment {
  constructor(config, context) {
    super(config, context);
    if (!vm.constants?.DONT_CONTEXTIFY) return; // an older Node keeps the base environment as it is
    const sandboxed = this.global;
    const isolated = sharing.needsIsolation(context.testPath);
    const plain = (!isolated && sharing.context) || newPlainContext();
    if (!isolated) sharing.context = plain;
    // What an earlier test file left on a shared global goes, as on a fresh one (jest-circus keeps
    // its state and event handlers there), except what the shared modules put there as they loaded
    // (aws-cdk-lib's token map, which holds the tokens it made then).
    const ownBuiltIns = builtIns.get(plain);
    for (const key of Reflect.ownKeys(plain)) {
      if (!ownBuiltIns.has(key) && !sharing.moduleGlobals.has(key)) Reflect.deleteProperty(plain, key);
    }
    // Configurable, so that the next test file on a shared global can define its own.
    for (const key of Reflect.ownKeys(sandboxed)) {
      if (ownBuiltIns.has(key) && !SHARED_FROM_OUTSIDE.includes(key)) continue;
      Object.defineProperty(plain, key, { ...Object.getOwnPropertyDescriptor(sandboxed, key), configurable: true });
    }
    plain.global = plain;
    plain.globalThis = plain;
    this.context = plain;
    this.global = plain;
    const projectConfig = config.projectConfig;
    this.moduleMocker = new ModuleMocker(plain);
    this.fakeTimers.dispose();
    this.fakeTimersModern.dispose();
    this.fakeTimers = new LegacyFakeTimers({
      config: projectConfig,
      global: plain,
      moduleMocker: this.moduleMocker,
      timerConfig: { idToRef: id => ({ id, ref() { return this; }, unref() { return this; } }), refToId: timer => timer?.id },
    });
    this.fakeTimersModern = new ModernFakeTimers({ config: projectConfig, global: plain });
  }
}

module.exports = PlainGlobalEnvironment;
