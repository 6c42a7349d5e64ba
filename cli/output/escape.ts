/**
 * Text from outside (actor names, reasons, ids, Flagsmith's audit log) made safe to print to a
 * terminal: control characters, C1 controls and the escape character are shown as `\xNN` /
 * `\uNNNN`, so a stored escape sequence cannot move the cursor, rewrite earlier lines or retitle
 * the window. JSON output needs nothing: JSON.stringify escapes what it must.
 *
 * @example
 * ```ts
 * printable('mallory\u001b[2J'); // 'mallory\\x1b[2J'
 * ```
 */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (char) => {
    const code = char.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
