/**
 * `record[key] = value`, also for the key `__proto__`, which plain assignment would turn into a
 * prototype change (a feature may be named anything).
 */
export function put<T>(record: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__') Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
  else record[key] = value;
}

/** Whether a value is a JSON object (not null, not an array): the one test of it the sources and the engine share. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
