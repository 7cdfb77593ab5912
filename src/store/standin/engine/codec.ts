import type { DeserializeOptions, SerializeOptions } from 'bson';

/**
 * How the stand-in turns wire BSON into the JS values the engine stores and queries, and back.
 * Shared by the wire layer and the engine so both agree on the representation.
 */
export const deserializeOptions: DeserializeOptions = {
  // int64 values that fit a double become numbers so mingo compares them with int32/double the way
  // MongoDB compares numeric types; larger ones stay Long and round-trip exactly.
  promoteLongs: true,
  promoteBuffers: false,
  validation: { utf8: false },
};

export const serializeOptions: SerializeOptions = {
  checkKeys: false,
  ignoreUndefined: false,
};
