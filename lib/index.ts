// Cloud-neutral types and the AWS constructs at the top level; Google Cloud under `gcp`.
// After jsii, build-tools/lazy-cloud-exports.js makes the AWS exports and `gcp` load on first
// use, so each cloud's optional peer dependencies are needed only by that cloud's users.
export * from './core';
export * from './aws';
export * as gcp from './gcp';
