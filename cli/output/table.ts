/**
 * Output for people: aligned columns, and colour only when stdout is a terminal (never in pipes,
 * files or CI logs, where escape codes are noise).
 */

const CODES = { red: 31, green: 32, yellow: 33, blue: 34, dim: 2, bold: 1 } as const;
export type Colour = keyof typeof CODES;

/** A painter that colours text on a TTY and returns it unchanged otherwise. */
export type Paint = (colour: Colour, text: string) => string;

/**
 * @example
 * ```ts
 * const paint = painter(io.isTTY);
 * io.stdout(paint('red', 'killed'));
 * ```
 */
export function painter(isTTY: boolean): Paint {
  return isTTY ? (colour, text) => `\u001b[${CODES[colour]}m${text}\u001b[0m` : (_colour, text) => text;
}

/**
 * Renders rows as aligned columns under a header. Cells may carry colour codes: widths are
 * measured without them.
 *
 * @example
 * ```ts
 * table(['flag', 'stage'], [['gastown', 'ga']]);
 * // 'flag     stage\ngastown  ga\n'
 * ```
 */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const all = [header, ...rows];
  const widths = header.map((_, column) => Math.max(...all.map((row) => visible(row[column] ?? '').length)));
  return `${all
    .map((row) =>
      row
        .map((cell, column) => (column === row.length - 1 ? cell : cell + ' '.repeat((widths[column] ?? 0) - visible(cell).length)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')}\n`;
}

function visible(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;]*m/g, '');
}
