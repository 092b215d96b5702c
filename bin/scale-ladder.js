#!/usr/bin/env node
'use strict';
// The `scale-ladder` command.
//
// In a clone of the repository (lib/cli/main.ts next to this file and ts-node installed)
// it runs the TypeScript source directly: ts-node in transpile-only mode compiles each
// file, and the output is cached under node_modules/.cache/scale-ladder-cli keyed by the
// file's content, the compiler versions and the tsconfig, so TypeScript itself is only
// loaded when a source file changed (a warm start is about 0.15 s instead of about 1 s).
// In the published package it runs the compiled dist/cli/main.js.
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');

function resolveFromRoot(name) {
  try {
    return require.resolve(name, { paths: [root] });
  } catch {
    return undefined;
  }
}

function versionOf(name) {
  const pkg = resolveFromRoot(`${name}/package.json`);
  return pkg ? JSON.parse(fs.readFileSync(pkg, 'utf8')).version : '';
}

/** Compiles `.ts` files below the repository with ts-node (transpile-only), through a content-keyed cache. */
function registerTypeScript(tsNodePath) {
  const project = ['tsconfig.dev.json', path.join('test', 'tsconfig.json')]
    .map(name => path.join(root, name))
    .find(file => fs.existsSync(file));
  const options = { transpileOnly: true, ...(project ? { project } : { skipProject: true }) };
  const salt = [
    versionOf('ts-node'), versionOf('typescript'), process.version,
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

function entryPoint() {
  const source = path.join(root, 'lib', 'cli', 'main.ts');
  const tsNode = fs.existsSync(source) ? resolveFromRoot('ts-node') : undefined;
  if (tsNode) {
    if (process.env.SCALE_LADDER_DEBUG) process.setSourceMapsEnabled(true);
    registerTypeScript(tsNode);
    return source;
  }
  return path.join(root, 'dist', 'cli', 'main.js');
}

// A reader that stops early (`scale-ladder plan … | head`) is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', err => {
    if (err && err.code === 'EPIPE') process.exit(process.exitCode || 0);
    throw err;
  });
}

require(entryPoint())
  .main(process.argv.slice(2), process)
  .then(code => { process.exitCode = code; })
  .catch(err => {
    process.stderr.write(`scale-ladder: ${err && err.message ? String(err.message).split('\n')[0] : err}\n`);
    process.exitCode = 1;
  });
