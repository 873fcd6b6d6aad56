/**
 * Finds the exact text of JSON values inside a JSON document without parsing them into JavaScript values.
 *
 * The proof inside a record must reach the caller byte for byte as it was stored: `JSON.parse` followed by
 * `JSON.stringify` would change it (number forms such as `1.0` or `1e2`, escapes, whitespace, numbers beyond 2^53).
 * Only the record's own small members are parsed; the proof is sliced out of the response text.
 */

/** A value's place in the text: `text.slice(start, end)` is the value as sent. */
export interface Span {
  readonly start: number;
  readonly end: number;
}

const WHITESPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);

function skipWhitespace(text: string, index: number): number {
  while (index < text.length && WHITESPACE.has(text.charCodeAt(index))) {
    index++;
  }
  return index;
}

function fail(text: string, index: number, what: string): never {
  throw new SyntaxError(`Invalid JSON at offset ${index}: ${what} (near ${JSON.stringify(text.slice(index, index + 16))})`);
}

/** The end (exclusive) of the string starting at `index` (a `"`). */
function endOfString(text: string, index: number): number {
  for (let i = index + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5c /* \ */) {
      i++;
    } else if (c === 0x22 /* " */) {
      return i + 1;
    }
  }
  return fail(text, index, "unterminated string");
}

/** The end (exclusive) of the JSON value starting at `index` (no leading whitespace). */
export function endOfValue(text: string, index: number): number {
  const first = text.charCodeAt(index);
  if (first === 0x22) {
    return endOfString(text, index);
  }
  if (first === 0x7b /* { */ || first === 0x5b /* [ */) {
    let depth = 0;
    for (let i = index; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i = endOfString(text, i) - 1;
      } else if (c === 0x7b || c === 0x5b) {
        depth++;
      } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
        depth--;
        if (depth === 0) {
          return i + 1;
        }
      }
    }
    return fail(text, index, "unterminated object or array");
  }
  // A number or a literal: up to the next delimiter.
  let i = index;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x2c || c === 0x7d || c === 0x5d || WHITESPACE.has(c)) {
      break;
    }
    i++;
  }
  return i > index ? i : fail(text, index, "a value was expected");
}

/** The members of the object whose text starts at `span.start` (a `{`), by name, each with its value's span. */
export function objectMembers(text: string, span: Span = { start: skipWhitespace(text, 0), end: text.length }): Map<string, Span> {
  const members = new Map<string, Span>();
  let i = skipWhitespace(text, span.start);
  if (text.charCodeAt(i) !== 0x7b) {
    fail(text, i, "an object was expected");
  }
  i = skipWhitespace(text, i + 1);
  if (text.charCodeAt(i) === 0x7d) {
    return members;
  }
  for (;;) {
    if (text.charCodeAt(i) !== 0x22) {
      fail(text, i, "a member name was expected");
    }
    const nameEnd = endOfString(text, i);
    const name = JSON.parse(text.slice(i, nameEnd)) as string;
    i = skipWhitespace(text, nameEnd);
    if (text.charCodeAt(i) !== 0x3a /* : */) {
      fail(text, i, "':' was expected");
    }
    const start = skipWhitespace(text, i + 1);
    const end = endOfValue(text, start);
    members.set(name, { start, end });
    i = skipWhitespace(text, end);
    const c = text.charCodeAt(i);
    if (c === 0x7d) {
      return members;
    }
    if (c !== 0x2c) {
      fail(text, i, "',' or '}' was expected");
    }
    i = skipWhitespace(text, i + 1);
  }
}

/** The elements of the array whose text is `span` (starting with `[`), each as a span. */
export function arrayElements(text: string, span: Span): Span[] {
  const elements: Span[] = [];
  let i = skipWhitespace(text, span.start);
  if (text.charCodeAt(i) !== 0x5b) {
    fail(text, i, "an array was expected");
  }
  i = skipWhitespace(text, i + 1);
  if (text.charCodeAt(i) === 0x5d) {
    return elements;
  }
  for (;;) {
    const end = endOfValue(text, i);
    elements.push({ start: i, end });
    i = skipWhitespace(text, end);
    const c = text.charCodeAt(i);
    if (c === 0x5d) {
      return elements;
    }
    if (c !== 0x2c) {
      fail(text, i, "',' or ']' was expected");
    }
    i = skipWhitespace(text, i + 1);
  }
}
