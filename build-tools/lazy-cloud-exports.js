// After jsii: make dist/index.js load each cloud's side on first use.
//
// tsc compiles lib/index.ts into `__exportStar(require("./aws"), exports)` and
// `exports.gcp = __importStar(require("./gcp"))`, which load aws-cdk-lib and cdktf +
// @cdktf/provider-google as soon as the package is required. Both are optional peer
// dependencies (package.json "peerDependenciesMeta"), so this rewrites the two lines:
//  - every AWS export becomes a getter that loads dist/aws/ when first read;
//  - `gcp` becomes a getter that loads dist/gcp/ when first read, then a plain value.
// A Google-only user (no aws-cdk-lib installed) can `require('scale-ladder').gcp`, an AWS-only
// user (no cdktf) `require('scale-ladder').Tier1M`, and neither pays for the other's libraries
// (bench/gcp-import-cost.js measures the Google side's cost). Reading an export whose cloud's
// peers are missing throws an error that names what to install (docs/install.md).
//
// jsii builds the assembly (.jsii) and dist/index.d.ts from the TypeScript source, so the API
// it records does not change. The getters keep the form `get: function () { return m.Name; }`
// that Node's CommonJS export detection recognises (Node docs, "Modules: ECMAScript modules",
// CommonJS namespaces), so `import { Tier1M } from 'scale-ladder'` keeps working from ESM.
const fs = require('fs');
const path = require('path');

const dist = path.join(__dirname, '..', 'dist');
const file = path.join(dist, 'index.js');
const marker = '/* lazy-cloud-exports */';
const eagerAws = '__exportStar(require("./aws"), exports);';
const eagerGcp = 'exports.gcp = __importStar(require("./gcp"));';

const source = fs.readFileSync(file, 'utf8');
if (source.includes(marker)) process.exit(0);
for (const eager of [eagerAws, eagerGcp]) {
  if (!source.includes(eager)) {
    console.error(`lazy-cloud-exports: expected '${eager}' in ${file}; the compiler output changed, update this script`);
    process.exit(1);
  }
}

// The AWS names, as __exportStar would have copied them: everything dist/aws/index.js exports
// except names an earlier `export *` (lib/core) already took. Loading dist/aws needs
// aws-cdk-lib, a dev dependency of this repository.
const taken = new Set(Object.keys(require(path.join(dist, 'core'))));
const awsNames = Object.keys(require(path.join(dist, 'aws'))).filter(name => name !== 'default' && !taken.has(name));
if (awsNames.length === 0) {
  console.error('lazy-cloud-exports: dist/aws/index.js exports nothing');
  process.exit(1);
}

const helper = `${marker}
// Each cloud's side of the package loads when one of its exports is first read
// (build-tools/lazy-cloud-exports.js in the scale-ladder repository).
function lazyCloud(id, cloud, peers) {
    var loaded, failure;
    function load() {
        if (loaded) return loaded;
        if (failure) throw failure;
        try {
            loaded = require(id);
            return loaded;
        }
        catch (err) {
            var text = err && err.code === "MODULE_NOT_FOUND" ? String(err.message).split("\\n")[0] : "";
            var missing = peers.filter(function (peer) { return text.indexOf("'" + peer + "'") >= 0 || text.indexOf("'" + peer + "/") >= 0; })[0];
            if (!missing) throw err;
            var names = peers.slice(0, -1).join(", ") + " and " + peers[peers.length - 1];
            failure = new Error("scale-ladder's " + cloud + " constructs need the peer dependencies " + names + "; " + missing + " is not installed (npm install " + peers.join(" ") + "): " + text);
            failure.code = err.code;
            failure.cause = err;
            throw failure;
        }
    }
    return { load: load, exports: new Proxy({}, { get: function (_, name) { return load()[name]; } }) };
}`;

const lazyAws = [
  'var aws_1 = lazyCloud("./aws", "AWS", ["aws-cdk-lib", "constructs"]).exports;',
  ...awsNames.map(name => `Object.defineProperty(exports, ${JSON.stringify(name)}, { enumerable: true, get: function () { return aws_1.${name}; } });`),
].join('\n');

const lazyGcp = [
  'var gcp_1 = lazyCloud("./gcp", "Google Cloud", ["cdktf", "@cdktf/provider-google", "constructs"]);',
  'Object.defineProperty(exports, "gcp", {',
  '    enumerable: true,',
  '    configurable: true,',
  '    get: function () {',
  '        var gcp = __importStar(gcp_1.load());',
  '        Object.defineProperty(exports, "gcp", { enumerable: true, value: gcp });',
  '        return gcp;',
  '    },',
  '});',
].join('\n');

// `exports.gcp = void 0;` (tsc's hoisted declaration) would define a plain property first;
// defineProperty replaces it, as it did before.
const lazy = source
  .replace('Object.defineProperty(exports, "__esModule", { value: true });', m => `${m}\n${helper}`)
  .replace(eagerAws, lazyAws)
  .replace(eagerGcp, lazyGcp);
if (!lazy.includes(marker)) {
  console.error(`lazy-cloud-exports: expected the __esModule marker in ${file}; the compiler output changed, update this script`);
  process.exit(1);
}
fs.writeFileSync(file, lazy);
