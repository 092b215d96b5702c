// After jsii: make the `gcp` namespace of dist/index.js load on first use, so an AWS-only
// user never pays for cdktf and the Google provider bindings (seconds and hundreds of MB).
const fs = require('fs');
const path = require('path');

const file = path.join(__dirname, '..', 'dist', 'index.js');
const eager = 'exports.gcp = __importStar(require("./gcp"));';
const lazy = [
  'Object.defineProperty(exports, "gcp", {',
  '    enumerable: true,',
  '    configurable: true,',
  '    get: function () {',
  '        var gcp = __importStar(require("./gcp"));',
  '        Object.defineProperty(exports, "gcp", { enumerable: true, value: gcp });',
  '        return gcp;',
  '    },',
  '});',
].join('\n');

const source = fs.readFileSync(file, 'utf8');
if (source.includes(lazy)) process.exit(0);
if (!source.includes(eager)) {
  console.error(`lazy-gcp-export: expected '${eager}' in ${file}; the compiler output changed, update this script`);
  process.exit(1);
}
fs.writeFileSync(file, source.replace(eager, lazy));
