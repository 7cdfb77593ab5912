import type { Document } from 'bson';

/**
 * An error the stand-in reports to the client exactly as MongoDB would: `{ ok: 0, errmsg, code,
 * codeName, ...extra }`. The wire layer turns it into that reply; anything else thrown by a command
 * becomes an InternalError reply plus a log line.
 */
export class StandinError extends Error {
  constructor(
    readonly code: number,
    readonly codeName: string,
    message: string,
    /** Extra reply fields, e.g. `keyPattern`/`keyValue` on duplicate keys. */
    readonly extra: Document = {},
  ) {
    super(message);
    this.name = 'StandinError';
  }

  toReply(): Document {
    return { ok: 0, errmsg: this.message, code: this.code, codeName: this.codeName, ...this.extra };
  }
}

/** MongoDB's own codes and names for the errors the stand-in raises (src/mongo/base/error_codes.yml). */
export const ErrorCodes = {
  InternalError: [1, 'InternalError'],
  BadValue: [2, 'BadValue'],
  NoSuchKey: [4, 'NoSuchKey'],
  FailedToParse: [9, 'FailedToParse'],
  TypeMismatch: [14, 'TypeMismatch'],
  IllegalOperation: [20, 'IllegalOperation'],
  NamespaceNotFound: [26, 'NamespaceNotFound'],
  IndexNotFound: [27, 'IndexNotFound'],
  CursorNotFound: [43, 'CursorNotFound'],
  NamespaceExists: [48, 'NamespaceExists'],
  CommandNotFound: [59, 'CommandNotFound'],
  ImmutableField: [66, 'ImmutableField'],
  InvalidOptions: [72, 'InvalidOptions'],
  InvalidNamespace: [73, 'InvalidNamespace'],
  IndexOptionsConflict: [85, 'IndexOptionsConflict'],
  IndexKeySpecsConflict: [86, 'IndexKeySpecsConflict'],
  NotImplemented: [238, 'NotImplemented'],
  BSONObjectTooLarge: [10334, 'BSONObjectTooLarge'],
  DuplicateKey: [11000, 'DuplicateKey'],
  Location40573: [40573, 'Location40573'],
} as const satisfies Record<string, readonly [number, string]>;

/** Builds a StandinError from an entry of {@link ErrorCodes}. */
export function mongoError(
  which: keyof typeof ErrorCodes,
  message: string,
  extra: Document = {},
): StandinError {
  const [code, codeName] = ErrorCodes[which];
  return new StandinError(code, codeName, message, extra);
}
