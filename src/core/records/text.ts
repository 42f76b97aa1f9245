/**
 * Text from pull requests and grant files going into Markdown the App posts (comments, issues):
 * one line, bounded, and unable to open HTML (a hidden marker, a comment) or break a code span.
 */

/** One line of plain text (issue titles: not Markdown), cut to `max` characters. */
export function oneLine(value: string, max = 200): string {
  const one = value.replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/\s+/g, ' ').trim();
  return one.length > max ? `${[...one].slice(0, max - 1).join('')}…` : one;
}

/** Prose: whitespace collapsed, `<` and `>` escaped, cut to `max` characters with an ellipsis. */
export function inlineText(value: string, max = 200): string {
  return oneLine(value, max).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A code span: backticks and line breaks removed (they would end it), cut to `max` characters. */
export function code(value: string, max = 200): string {
  const one = value.replace(/[`\u0000-\u001f\u007f]+/g, ' ').replace(/\s+/g, ' ').trim();
  const cut = one.length > max ? `${[...one].slice(0, max - 1).join('')}…` : one;
  return `\`${cut || ' '}\``;
}
