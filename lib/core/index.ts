export * from './layer';
export * from './tier-spec';
export * from './tier';
export * from './capacity';
export * from './app-contract';
export * from './shard-router';
export * from './sizing';
