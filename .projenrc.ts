import { awscdk, javascript, JsonFile } from 'projen';

const CDKTF_VERSION = '0.21.0';
const PROVIDER_GOOGLE_VERSION = '16.12.1';

const project = new awscdk.AwsCdkConstructLibrary({
  name: 'scale-ladder',
  description: 'Infrastructure presets that climb from 1K to 1B users on AWS (CDK) and Google Cloud (cdktf), one swap at a time, keeping every byte of data.',
  author: 'scale-ladder maintainers',
  authorAddress: 'maintainers@scale-ladder.dev',
  repositoryUrl: 'https://example.invalid/scale-ladder.git',
  keywords: ['cdk', 'cdktf', 'scaling', 'aurora', 'fargate', 'cloud-run', 'cloud-sql'],
  license: 'Apache-2.0',

  cdkVersion: '2.276.0',
  constructsVersion: '10.5.1',
  jsiiVersion: '~6.0.0',
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  srcdir: 'lib',
  libdir: 'dist',
  entrypoint: 'dist/index.js',

  // This repository is not hosted on GitHub; CI is `.ci/run`.
  github: false,
  release: false,
  depsUpgrade: false,
  pullRequestTemplate: false,

  peerDeps: [`cdktf@${CDKTF_VERSION}`, `@cdktf/provider-google@${PROVIDER_GOOGLE_VERSION}`],
  devDeps: [
    `cdktf@${CDKTF_VERSION}`,
    `@cdktf/provider-google@${PROVIDER_GOOGLE_VERSION}`,
    'cdk-nag@^3',
    // test/support/plain-global-environment.js builds on jest's own Node environment and helpers.
    'jest-environment-node@^30',
    'jest-mock@^30',
    '@jest/fake-timers@^30',
    // test/support/worker-runtime.js extends jest's runtime.
    'jest-runtime@^30',
  ],
  // The upgrade planner ships inside the package (not a jsii module, so it is bundled).
  bundledDeps: ['@aws-cdk/cloudformation-diff@^2.187.0'],

  // One command. (projen would also turn every file in bin/ into a command of its own name.)
  bin: { 'scale-ladder': 'bin/scale-ladder.js' },
  autoDetectBin: false,

  jestOptions: {
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    jestConfig: {
      testTimeout: 120_000,
      // Synthesis is CPU-bound: use both cores of the CI machine (jest's default leaves one idle).
      maxWorkers: 2,
      collectCoverage: false,
      snapshotSerializers: ['<rootDir>/test/support/asset-hash-serializer.ts'],
      // Every rung of both clouds is synthesized once per run and shared with the suites as JSON.
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
      // aws-cdk-lib's CloudFormation validation runs once per rung (test/aws/rungs.test.ts), not in every synth.
      setupFiles: ['<rootDir>/test/support/setup-env.ts'],
      // jest's Node environment with an ordinary global object: global lookups in a contextified
      // one cost up to 5× in the hashing and diff-heavy suites.
      testEnvironment: '<rootDir>/test/support/plain-global-environment.js',
      // jest's runtime, with the installed packages loaded once per worker and shared by its test
      // files (test/support/worker-sharing.js), and V8's code cache for what each file loads afresh.
      runtime: '<rootDir>/test/support/worker-runtime.js',
    },
  },
  tsconfigDev: { include: ['../examples/**/*.ts'], compilerOptions: {} },
  eslintOptions: { dirs: ['lib'], devdirs: ['test', 'examples'] },
  gitignore: ['cdk.out', '/scale-ladder.out', '/.bench'],
});
project.addPackageIgnore('/examples');
project.addPackageIgnore('/bench');
project.addPackageIgnore('/.ci');

// What `npm pack` ships, as an allow-list (npm docs, package.json "files"): the compiled
// library, the one command, the jsii assembly and the docs. Everything else a clone holds —
// lib/, test/, build-tools/ (including the clone-only TypeScript loader of bin/scale-ladder.js),
// synth outputs (scale-ladder.out/, cdk.out/, cdktf.out/, stacks/), .bench, coverage,
// test-reports, tsbuildinfo — stays out without having to be listed. package.json, README.md
// and LICENSE are always included, and so are the bundled dependencies. test/package/pack.test.ts
// checks the list.
project.package.addField('files', [
  'bin/scale-ladder.js',
  'dist/**/*.js',
  'dist/**/*.d.ts',
  '.jsii',
  'API.md',
  // README links every page under docs/ and embeds the rung diagrams.
  'docs/*.md',
  'docs/diagrams/*.svg',
]);

// Node 20.9 or newer: the oldest Node every peer supports (aws-cdk-lib declares >= 20.0.0,
// @cdktf/provider-google >= 20.9.0) and the line the suite runs on. Set as an engine only:
// projen's minNodeVersion would also pin @types/node to ^20.
project.package.addEngine('node', '>= 20.9.0');

// Google resources only from @cdktf/provider-google/lib/<name> (the root costs seconds and
// gigabytes); cdktf only inside lib/gcp, so the AWS side never pays for it.
const providerRoot = { name: '@cdktf/provider-google', message: 'Import Google resources from @cdktf/provider-google/lib/<name>.' };
project.eslint?.addRules({ 'no-restricted-imports': ['error', { paths: [providerRoot] }] });
project.eslint?.addOverride({
  files: ['lib/**/*.ts'],
  excludedFiles: ['lib/gcp/**'],
  rules: {
    'no-restricted-imports': ['error', {
      paths: [providerRoot],
      patterns: [{ group: ['cdktf', 'cdktf/*', '@cdktf/*'], message: 'cdktf imports stay inside lib/gcp.' }],
    }],
  },
});

// The AWS constructs and the `gcp` namespace load on first use, so each cloud's peers are needed
// only by the users of that cloud (build-tools/lazy-cloud-exports.js; load cost measured by
// bench/gcp-import-cost.js).
project.compileTask.exec('node build-tools/lazy-cloud-exports.js');

// `npm test` compiles with jsii, so a change that breaks the jsii API fails the tests; jest only
// transpiles, so test/ and examples/ are type-checked by build-tools/type-check-and-lint.js, which
// lints on the same TypeScript programs (eslint's type-aware rules would otherwise build their
// own). The compile, those checks and jest run side by side (build-tools/run-tests.js; the suites
// that need the compiled package wait for the compile); any failing fails the task. They only read
// the sources: `npx projen eslint` is the one that fixes. test:checks runs the first two alone.
const eslintStep = project.testTask.steps.findIndex(step => step.spawn === 'eslint');
if (eslintStep < 0) throw new Error('expected projen to add eslint to the test task');
project.testTask.removeStep(eslintStep);
const jestStep = project.testTask.steps.findIndex(step => step.execArgs?.[0] === 'jest');
if (jestStep < 0) throw new Error('expected projen to add jest to the test task');
project.testTask.removeStep(jestStep);
project.testTask.exec('node build-tools/run-tests.js', { receiveArgs: true });
project.addTask('test:checks', {
  description: 'jsii compile, and the type check and eslint of lib/, test/, examples/ and projenrc on shared programs, side by side',
  // (projen runs no background commands itself: bash does.)
  exec: `bash -c '${[
    'projen compile & compile=$!',
    'node build-tools/type-check-and-lint.js; checks=$?',
    'wait $compile; compile=$?',
    '[ $compile -eq 0 ] && [ $checks -eq 0 ]',
  ].join('; ')}'`,
});

// The data-move tests run the shipped scripts against real PostgreSQL servers: bring the
// server and client programs first (a no-op when installed), so they fail rather than skip.
const postgresTask = project.addTask('test:postgres', {
  description: 'Make sure PostgreSQL (server and clients) is installed for the data-move tests',
  exec: 'bash build-tools/ensure-postgres.sh',
});
project.testTask.prependSpawn(postgresTask);

// The README's rung table is generated from the tier data, never typed by hand.
project.addTask('readme', {
  description: 'Regenerate the rung table in README.md',
  exec: 'ts-node --transpile-only --project test/tsconfig.json build-tools/readme.ts',
});

// The architecture diagrams of every rung on both clouds (docs/diagrams, linked from README.md) are
// generated from the tier data, like the rung table; test/docs/diagrams.test.ts checks for drift.
project.addTask('diagrams', {
  description: 'Regenerate docs/diagrams/<cloud>-<rung>.svg and .mmd for every rung on both clouds',
  exec: 'ts-node --transpile-only --project test/tsconfig.json build-tools/diagrams.ts',
});

// Examples are type-checked and linted like tests.
new JsonFile(project, 'examples/tsconfig.json', {
  obj: {
    extends: '../tsconfig.json',
    compilerOptions: { rootDir: '..', noEmit: true, noUnusedLocals: false },
    include: ['**/*.ts'],
  },
});

// Each cloud's libraries are optional peers: an AWS-only user never needs the Google side
// installed and a Google-only user never needs aws-cdk-lib (npm does not install optional peers
// by itself). constructs is needed by both. docs/install.md says what to install per cloud;
// test/package/install.test.ts installs the packed tarball with each cloud's peers alone.
project.package.addField('peerDependenciesMeta', {
  'aws-cdk-lib': { optional: true },
  'cdktf': { optional: true },
  '@cdktf/provider-google': { optional: true },
});

project.synth();
