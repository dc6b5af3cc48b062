/**
 * Text that names a cargo target directory (dep-info, rustc's artifact messages and
 * diagnostics), stored with a token where the directory goes, so each caller gets its
 * own. NUL never appears in a path or in rustc's text, so the token cannot be mistaken.
 */
const TOKEN = Buffer.from('\0reprise:target-dir\0');

/** Bytes that can continue a path: `DIR/` right after one is inside a longer path, not the directory. */
const PATH_BYTE = /[A-Za-z0-9._+,@=~/-]/;

/**
 * `text` with every `DIR/` replaced by the token. Undefined when that would not give back
 * `text` for this directory and the right text for any other: `DIR` still appears (not
 * followed by `/`), `DIR/` ends a longer path, or the token is already there.
 */
export function templateTarget(text: Buffer, dir: string): Buffer | undefined {
  if (text.includes(TOKEN)) return undefined;
  const prefix = Buffer.from(`${dir}/`);
  const parts: Buffer[] = [];
  let from = 0;
  for (let at = text.indexOf(prefix); at >= 0; at = text.indexOf(prefix, from)) {
    if (at > 0 && PATH_BYTE.test(String.fromCharCode(text[at - 1]!))) return undefined;
    parts.push(text.subarray(from, at), TOKEN);
    from = at + prefix.length;
  }
  if (parts.length === 0) return text.includes(dir) ? undefined : text;
  parts.push(text.subarray(from));
  const out = Buffer.concat(parts);
  return out.includes(dir) ? undefined : out;
}

/** A template rendered for one target directory. */
export function renderTarget(template: Buffer, dir: string): Buffer {
  const at0 = template.indexOf(TOKEN);
  if (at0 < 0) return template;
  const prefix = Buffer.from(`${dir}/`);
  const parts: Buffer[] = [];
  let from = 0;
  for (let at = at0; at >= 0; at = template.indexOf(TOKEN, from)) {
    parts.push(template.subarray(from, at), prefix);
    from = at + TOKEN.length;
  }
  parts.push(template.subarray(from));
  return Buffer.concat(parts);
}
