import type { DeserializeOptions, SerializeOptions } from 'bson';

/**
 * How the stand-in turns wire BSON into the JS values the engine stores and queries, and back.
 * Shared by the wire layer and the engine so both agree on the representation.
 */
export const deserializeOptions: DeserializeOptions = {
  // int64 as bigint: survives a round trip as int64 and compares with plain numbers using < and >.
  useBigInt64: true,
  promoteBuffers: false,
  validation: { utf8: false },
};

export const serializeOptions: SerializeOptions = {
  checkKeys: false,
  ignoreUndefined: false,
};
