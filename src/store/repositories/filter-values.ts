/**
 * Values typed by users reach repository lookups; TypeScript types vanish at run time, so a JSON
 * object such as `{"$gt": ""}` could arrive where a string is expected. Lookups take keys through
 * this check and treat anything but a string as matching nothing.
 */
export function stringKey(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
