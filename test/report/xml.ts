/**
 * A strict little XML well-formedness check for the SVG the report emits: every tag opens and closes in order,
 * attributes are quoted, and text holds no raw '<' or stray '&'. Returns the element names in document order.
 */
export function checkWellFormed(xml: string): string[] {
  const tag = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/y;
  const entity = /&(?:amp|lt|gt|quot|#39|#\d+);/y;
  const stack: string[] = [];
  const elements: string[] = [];
  let i = 0;
  while (i < xml.length) {
    const ch = xml[i];
    if (ch === '<') {
      tag.lastIndex = i;
      const m = tag.exec(xml);
      if (!m) throw new Error(`malformed tag at offset ${i}: ${xml.slice(i, i + 60)}`);
      const [, closing, name, , selfClosing] = m;
      if (closing) {
        const open = stack.pop();
        if (open !== name) throw new Error(`</${name}> at offset ${i} closes <${open ?? 'nothing'}>`);
      } else {
        elements.push(name!);
        if (!selfClosing) stack.push(name!);
      }
      i = tag.lastIndex;
    } else if (ch === '&') {
      entity.lastIndex = i;
      if (!entity.exec(xml)) throw new Error(`unescaped '&' at offset ${i}: ${xml.slice(i, i + 20)}`);
      i = entity.lastIndex;
    } else if (ch === '>') {
      throw new Error(`stray '>' at offset ${i}`);
    } else {
      i++;
    }
  }
  if (stack.length > 0) throw new Error(`unclosed elements: ${stack.join(' > ')}`);
  return elements;
}
