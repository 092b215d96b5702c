/**
 * Template metadata key that marks one resource as data-bearing although its type usually
 * is not (the SSM parameter holding the live shard bucket assignment). The upgrade planner
 * treats a marked resource like a database: replacing or deleting it is UNSAFE.
 */
export const HOLDS_DATA_METADATA = 'scale-ladder:holds-data';
