// Cloud-neutral types and the AWS constructs at the top level; Google Cloud under `gcp`.
export * from './core';
export * from './aws';
export * as gcp from './gcp';
