import type { ConfigDescription } from '../config/describe-config.js';
import type { SettingSource, ShownValue } from '../config/types.js';

const COMMENT_COLUMN = 44;

/** `reprise config show`: the effective settings as a TOML file, each line's source in a comment. */
export function formatConfig(d: ConfigDescription): string {
  const out: string[] = [];
  const file = d.file.exists ? d.file.path : `${d.file.path} (absent)`;
  out.push(`# reprise settings: defaults, then ${file}${d.file.explicit ? ' (REPRISE_CONFIG)' : ''}, then REPRISE_* variables; the last that sets a value wins`);
  out.push(`# runtime dir ${d.runtimeDir.value} (${sourceText(d.runtimeDir.source)}): the environment alone sets it, as the shims read it too`);
  let table = '';
  for (const e of d.settings) {
    const array = /^(remote|executor)\[\d+\]$/.exec(e.key);
    const remote = array !== null;
    const section = remote ? e.key : e.key.slice(0, e.key.indexOf('.'));
    if (remote || (section !== table && !/^(remote|executor)\[/.test(section))) {
      out.push('', array ? line(`[[${array[1]}]]`, e.source) : `[${section}]`);
      table = section;
      if (remote) continue;
    }
    const name = e.key.slice(e.key.lastIndexOf('.') + 1);
    out.push(e.value === undefined ? line(`# ${name} (unset)`, e.source) : line(`${name} = ${tomlValue(e.value)}`, e.source));
  }
  return `${out.join('\n')}\n`;
}

function line(text: string, source: SettingSource): string {
  return `${text.padEnd(COMMENT_COLUMN - 1)} # ${sourceText(source)}`;
}

/** `default`, `file:7` (or `file:remote[1].url` where the line is unknown), `env REPRISE_MAX_SIZE`. */
export function sourceText(s: SettingSource): string {
  if (s.kind === 'env') return `env ${s.name}`;
  if (s.kind === 'file') return `file:${s.line ?? s.key}`;
  return s.note ? `default (${s.note})` : 'default';
}

function tomlValue(v: ShownValue): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map((s) => JSON.stringify(s)).join(', ')}]`;
  const entries = Object.entries(v).map(([k, s]) => `${/^[A-Za-z0-9_-]+$/.test(k) ? k : JSON.stringify(k)} = ${JSON.stringify(s)}`);
  return entries.length === 0 ? '{}' : `{ ${entries.join(', ')} }`;
}
