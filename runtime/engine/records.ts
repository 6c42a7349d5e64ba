/**
 * `record[key] = value`, also for the key `__proto__`, which plain assignment would turn into a
 * prototype change (a feature may be named anything).
 */
export function put<T>(record: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__') Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
  else record[key] = value;
}
