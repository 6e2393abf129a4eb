/**
 * A body's text, decoded as its sender said: a byte-order mark first, then the `charset` of
 * Content-Type, else UTF-8 (the default of JSON, RFC 8259 8.1). Labels follow the WHATWG
 * Encoding Standard, as in browsers: `iso-8859-1` and `latin1` read as windows-1252, its
 * superset. An unknown charset falls back to UTF-8 rather than failing the step.
 */
export function bodyText(body: Buffer, contentType: string | undefined): string {
  const bom = byteOrderMark(body);
  const label = bom ?? charsetOf(contentType) ?? 'utf-8';
  const decoder = decoderFor(label) ?? decoderFor('utf-8');
  return (decoder as TextDecoder).decode(body);
}

function byteOrderMark(body: Buffer): string | undefined {
  if (body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) return 'utf-8';
  if (body[0] === 0xff && body[1] === 0xfe) return 'utf-16le';
  if (body[0] === 0xfe && body[1] === 0xff) return 'utf-16be';
  return undefined;
}

function charsetOf(contentType: string | undefined): string | undefined {
  const match = /;\s*charset\s*=\s*(?:"([^"]*)"|([^;\s]*))/i.exec(contentType ?? '');
  const label = (match?.[1] ?? match?.[2] ?? '').trim();
  return label === '' ? undefined : label;
}

function decoderFor(label: string): TextDecoder | undefined {
  try {
    // The default (ignoreBOM: false) drops the byte-order mark from the text.
    return new TextDecoder(label);
  } catch {
    return undefined;
  }
}
