/**
 * Why a header value cannot go on the wire, or `undefined` when it can. RFC 9110 5.5: field
 * values are visible ASCII, space, tab and obs-text (0x80-0xFF, which Node sends as Latin-1);
 * CR or LF would end the header and start another (header injection). Node throws on these;
 * saying so before sending names the header and keeps the request from going out at all.
 */
export function headerValueProblem(value: string): string | undefined {
  if (/[\r\n]/.test(value)) return 'contains CR or LF, which would end the header';
  const bad = /[^\t\x20-\x7e\x80-\xff]/u.exec(value)?.[0];
  if (bad === undefined) return undefined;
  const point = `U+${(bad.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
  if ((bad.codePointAt(0) ?? 0) > 0xff) return `contains '${bad}' (${point}), which is not Latin-1 and cannot be sent in a header`;
  return `contains the control character ${point}, which cannot be sent in a header`;
}
