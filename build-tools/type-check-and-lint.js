// The type check of lib/, test/ and examples/ (test/tsconfig.json) and of the projen
// configuration (projenrc/tsconfig.json), and eslint over the same files, on one TypeScript
// program per configuration: eslint's type-aware rules (no-floating-promises, return-await) read
// the programs this script has already checked instead of building their own, which took as long
// again as `tsc --noEmit` (two thirds of eslint's time).
//
// It lints without fixing: a fix changes a file under the programs, whose syntax trees eslint
// would then go on using. `npx projen eslint` fixes what it can.
//
// Exit status 1 when there is a type error or an eslint error.
const path = require('path');
const ts = require('typescript');
const { loadESLint } = require('eslint');
const sharedProgramParser = require('./shared-program-parser');

const root = path.join(__dirname, '..');
const LINTED = ['lib', 'test', 'examples', 'projenrc', '.projenrc.ts'];

/** A program over a tsconfig's files, plus `extraRoots` (eslint needs every file it lints in one). */
function programFor(configFile, extraRoots = []) {
  const parsed = ts.getParsedCommandLineOfConfigFile(path.join(root, configFile), {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: diagnostic => {
      throw new Error(`${configFile}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`);
    },
  });
  return ts.createProgram({
    rootNames: [...new Set([...parsed.fileNames, ...extraRoots])],
    options: parsed.options,
    projectReferences: parsed.projectReferences,
    configFileParsingDiagnostics: parsed.errors,
  });
}

async function main() {
  // test/ reaches most of lib/ through imports; the rest of lib/ joins so that eslint finds it.
  const libFiles = ts.sys.readDirectory(path.join(root, 'lib'), ['.ts', '.tsx'], ['**/*.d.ts']);
  const programs = [programFor('test/tsconfig.json', libFiles), programFor('projenrc/tsconfig.json')];

  const diagnostics = programs.flatMap(program => ts.getPreEmitDiagnostics(program));
  if (diagnostics.length > 0) {
    process.stderr.write(ts.formatDiagnosticsWithColorAndContext(diagnostics, {
      getCanonicalFileName: name => name,
      getCurrentDirectory: () => root,
      getNewLine: () => '\n',
    }));
    process.stderr.write(`\ntype check: ${diagnostics.length} error(s)\n`);
  }

  const ESLint = await loadESLint({ useFlatConfig: false });
  sharedProgramParser.usePrograms(programs);
  const eslint = new ESLint({
    cwd: root,
    extensions: ['.ts', '.tsx'],
    errorOnUnmatchedPattern: false,
    overrideConfig: { parser: require.resolve('./shared-program-parser') },
  });
  const results = await eslint.lintFiles(LINTED);
  const report = await (await eslint.loadFormatter('stylish')).format(results);
  if (report) process.stdout.write(report);
  const lintErrors = results.reduce((n, result) => n + result.errorCount, 0);
  if (results.some(result => result.fixableErrorCount + result.fixableWarningCount > 0)) {
    process.stdout.write("eslint: 'npx projen eslint' fixes the fixable problems above\n");
  }
  return diagnostics.length === 0 && lintErrors === 0 ? 0 : 1;
}

main().then(code => { process.exitCode = code; }, error => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exitCode = 1;
});
