'use strict';
// Clone-only half of bin/scale-ladder.js: runs the command from the TypeScript source.
// Not in the published package (package.json "files" lists only bin/scale-ladder.js,
// dist/, the jsii assembly and docs), which runs the compiled dist/cli/main.js instead.
//
// ts-node in transpile-only mode compiles each file below the repository, and the output is
// cached under node_modules/.cache/scale-ladder-cli keyed by the file's content, the compiler
// versions and the tsconfig, so TypeScript itself is only loaded when a source file changed
// (a warm start is about 0.15 s instead of about 1 s).
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');

function resolveFrom(root, name) {
  try {
    return require.resolve(name, { paths: [root] });
  } catch {
    return undefined;
  }
}

function versionOf(root, name) {
  const pkg = resolveFrom(root, `${name}/package.json`);
  return pkg ? JSON.parse(fs.readFileSync(pkg, 'utf8')).version : '';
}

/** Compiles `.ts` files below `root` with ts-node (transpile-only), through a content-keyed cache. */
function registerTypeScript(root, tsNodePath) {
  const project = ['tsconfig.dev.json', path.join('test', 'tsconfig.json')]
    .map(name => path.join(root, name))
    .find(file => fs.existsSync(file));
  const options = { transpileOnly: true, ...(project ? { project } : { skipProject: true }) };
  const salt = [
    versionOf(root, 'ts-node'), versionOf(root, 'typescript'), process.version,
    project ? fs.readFileSync(project, 'utf8') : '',
    fs.existsSync(path.join(root, 'tsconfig.json')) ? fs.readFileSync(path.join(root, 'tsconfig.json'), 'utf8') : '',
  ].join('\0');
  const cacheDir = path.join(root, 'node_modules', '.cache', 'scale-ladder-cli');
  let service;
  const compile = (code, file) => {
    // ts-node (and TypeScript) load only on a cache miss.
    service = service || require(tsNodePath).create(options);
    return service.compile(code, file);
  };
  const previous = require.extensions['.ts'];
  require.extensions['.ts'] = function loadTs(module, file) {
    if (path.relative(root, file).split(path.sep)[0] === 'node_modules') {
      return (previous || require.extensions['.js'])(module, file);
    }
    const code = fs.readFileSync(file, 'utf8');
    const key = crypto.createHash('sha256').update(salt).update('\0').update(file).update('\0').update(code).digest('hex');
    const cached = path.join(cacheDir, `${key}.js`);
    let output;
    try {
      output = fs.readFileSync(cached, 'utf8');
    } catch {
      output = compile(code, file);
      try {
        fs.mkdirSync(cacheDir, { recursive: true });
        const tmp = `${cached}.${process.pid}.tmp`;
        fs.writeFileSync(tmp, output);
        fs.renameSync(tmp, cached);
      } catch {
        // A read-only checkout still works, just without the cache.
      }
    }
    module._compile(output, file);
  };
}

/**
 * Makes `source` (lib/cli/main.ts of the clone at `root`) loadable and returns it, or returns
 * undefined when ts-node is not installed (a clone installed without dev dependencies), so the
 * caller falls back to the compiled dist/cli/main.js.
 */
function sourceEntryPoint(root, source) {
  const tsNode = resolveFrom(root, 'ts-node');
  if (!tsNode) return undefined;
  if (process.env.SCALE_LADDER_DEBUG) process.setSourceMapsEnabled(true);
  registerTypeScript(root, tsNode);
  return source;
}

module.exports = { sourceEntryPoint };
