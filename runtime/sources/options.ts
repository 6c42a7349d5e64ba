import { FlagstageError } from '../errors/flagstage-error';
import { DEFAULT_MAX_DOCUMENT_BYTES } from './origin';

/**
 * Construction-time checks for `flagsmithSource`: a misconfigured source must fail at startup with
 * a message that says what to do, not at the first request with an HTTP 401 from Flagsmith.
 */

/** The first page of the environment document for an API base URL, with or without trailing slash. */
export function environmentDocumentUrl(apiUrl: string): string {
  let url: URL | undefined;
  try {
    url = new URL(apiUrl);
  } catch {
    // refused below, like any URL that is not http(s)
  }
  if (url?.protocol !== 'https:' && url?.protocol !== 'http:') {
    throw new FlagstageError(
      'invalid-option',
      `flagsmithSource apiUrl "${apiUrl}" is not a URL over http(s); pass the API base, e.g. https://edge.api.flagsmith.com/api/v1/.`,
    );
  }
  return `${url.href.replace(/[?#].*$/, '').replace(/\/+$/, '')}/environment-document/`;
}

/** `flagsmithSource`'s numeric options when none are given (README: "The runtime"), in the order they are checked. */
export const FLAGSMITH_SOURCE_DEFAULTS = Object.freeze({
  ttlMs: 5_000,
  maxStaleMs: 3_600_000, // an hour
  timeoutMs: 2_000,
  maxDocumentBytes: DEFAULT_MAX_DOCUMENT_BYTES,
  minRefreshIntervalMs: 1_000,
  sharedCacheCheckMs: 1_000,
});

type NumericOption = keyof typeof FLAGSMITH_SOURCE_DEFAULTS;

/**
 * Every numeric option of `flagsmithSource`, or its default, in the order of
 * `FLAGSMITH_SOURCE_DEFAULTS`: a duration must be a positive finite number of milliseconds,
 * `maxDocumentBytes` a positive whole number of bytes. A list rather than a record: the names would
 * stay in the bundle a second time.
 */
export function numericOptions(
  options: Readonly<Partial<Record<NumericOption, number>>>,
): [ttlMs: number, maxStaleMs: number, timeoutMs: number, maxDocumentBytes: number, minRefreshIntervalMs: number, sharedCacheCheckMs: number] {
  return Object.entries(FLAGSMITH_SOURCE_DEFAULTS).map(([name, fallback]) => {
    const value = options[name as NumericOption] ?? fallback;
    const bytes = name === 'maxDocumentBytes';
    // Number.isFinite is false for anything but a number; a finite number is whole when % 1 is 0.
    if (!Number.isFinite(value) || (bytes && value % 1) || value <= 0) {
      throw new FlagstageError('invalid-option', `flagsmithSource ${name} must be a positive ${bytes ? 'whole number of bytes' : 'number of milliseconds'}, got ${String(value)}.`);
    }
    return value;
  }) as never;
}
