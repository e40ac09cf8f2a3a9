/**
 * HTML/XML escaping for every piece of text the report prints. Experiment names, claims, error messages and series
 * names come from code we do not control (and error messages may echo user input), so nothing reaches the page
 * unescaped.
 */
const replacements: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for use in element content and in quoted attribute values (HTML and SVG alike). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => replacements[ch]!);
}

/** A string safe to use as an element id / URL fragment: lowercase letters, digits and dashes only. */
export function slug(text: string): string {
  const s = text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return s.length > 0 ? s : 'x';
}
