// Snapshot serializer: asset hashes change with every CDK release and every byte of
// bundled code, so snapshots show a placeholder instead.
const HASH = /[0-9a-f]{64}/g;

module.exports = {
  test: (value: unknown) => typeof value === 'string' && HASH.test(value) && (HASH.lastIndex = 0) === 0,
  serialize: (value: string) => JSON.stringify(value.replace(HASH, '[ASSET_HASH]')),
};
