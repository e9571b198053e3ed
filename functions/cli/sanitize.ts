// Escaping for each output sink: the lake keeps exactly what Spotify sent, and every sink makes it safe for
// itself — a terminal (no control sequences), XML/SVG (no markup, no characters XML forbids), a spreadsheet (no
// formulas, after OWASP's CSV-injection rule).

/** C0 controls but tab and newline, DEL, C1 controls: what a terminal may act on (ESC, BEL, CSI…). */
// eslint-disable-next-line no-control-regex -- matching control characters is this pattern's job
const TERMINAL_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/**
 * Text as a terminal shows it, unable to move the cursor, change colours, set the title or ring: each control
 * character becomes a visible `\u{1b}` escape, so what the data holds stays readable and nothing acts.
 */
export function forTerminal(text: string): string {
  return text.replace(TERMINAL_CONTROL, (c) => `\\u{${c.charCodeAt(0).toString(16)}}`);
}

/** Characters XML 1.0 does not allow at all (even escaped), lone surrogates included. */
const XML_INVALID =
  // eslint-disable-next-line no-control-regex -- matching control characters is this pattern's job
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Text for an XML attribute or element: markup escaped, characters XML forbids shown as U+FFFD. */
export function forXml(text: string): string {
  return text
    .replace(XML_INVALID, '\ufffd')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/**
 * A cell a spreadsheet would run as a formula starts with = + - @, a tab or a carriage return (OWASP): such a cell
 * gets a leading apostrophe, which spreadsheets show as text. Numbers (`-3`) are left as they are.
 */
export function forSpreadsheet(cell: string): string {
  if (!/^[=+\-@\t\r]/.test(cell)) return cell;
  return /^[+-]?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(cell) ? cell : `'${cell}`;
}
