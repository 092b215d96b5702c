// The eslint parser of build-tools/type-check-and-lint.js: @typescript-eslint/parser, handed the
// TypeScript programs that script has already built and checked. (Given as parserOptions, eslint's
// eslintrc mode would deep-copy the programs into plain objects.)
const typescriptParser = require('@typescript-eslint/parser');

let sharedPrograms;

module.exports = {
  /** Sets the programs every later parse reads its syntax trees and types from. */
  usePrograms(programs) {
    sharedPrograms = programs;
  },
  parseForESLint(code, options) {
    if (sharedPrograms === undefined) throw new Error('shared-program-parser: usePrograms was not called');
    return typescriptParser.parseForESLint(code, { ...options, programs: sharedPrograms, projectService: false, project: undefined });
  },
};
