/**
 * docs/stats.md as a page the dashboard's reason links can point into: just the Markdown
 * that file uses (headings, paragraphs, tables, code), escaped. Each table row gets the id
 * `f-FIELD` of its first cell, and the first mention of each `name` in code the id `r-name`,
 * the rows that list reasons (`...Reasons`) going first, so that a reason's link lands on
 * the row that explains it.
 */
export function renderMarkdown(md: string, title: string, cssHref: string): string {
  const blocks = parseBlocks(md);
  const claimed = new Set<string>();
  const rowHtml = new Map<string[], string>();
  const rows = blocks.flatMap((b) => (b.kind === 'table' ? b.rows.slice(1) : []));
  const isReasonRow = (r: string[]): boolean => /Reasons`?$/.test(r[0] ?? '');
  for (const r of [...rows.filter(isReasonRow), ...rows.filter((r) => !isReasonRow(r))]) {
    const field = /^`([^`]+)`/.exec(r[0] ?? '')?.[1];
    const cells = r.map((c) => inline(c, claimed)).map((c) => `<td>${c}</td>`).join('');
    rowHtml.set(r, `<tr${field ? ` id="f-${attr(field)}"` : ''}>${cells}</tr>`);
  }
  const body = blocks.map((b) => {
    switch (b.kind) {
      case 'heading': return `<h${b.level}>${inline(b.text, undefined)}</h${b.level}>`;
      case 'code': return `<pre><code>${esc(b.text)}</code></pre>`;
      case 'para': return `<p>${inline(b.text, undefined)}</p>`;
      case 'table': {
        const [head = [], ...rest] = b.rows;
        return `<table class="doc"><thead><tr>${head.map((c) => `<th>${inline(c, undefined)}</th>`).join('')}</tr></thead><tbody>${rest.map((r) => rowHtml.get(r) ?? '').join('')}</tbody></table>`;
      }
    }
  }).join('\n');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><link rel="icon" href="data:,"><title>${esc(title)}</title><link rel="stylesheet" href="${attr(cssHref)}"></head><body class="doc"><main>${body}</main></body></html>\n`;
}

type Block =
  | { kind: 'heading'; level: number; text: string }
  | { kind: 'code'; text: string }
  | { kind: 'para'; text: string }
  | { kind: 'table'; rows: string[][] };

function parseBlocks(md: string): Block[] {
  const lines = md.split('\n');
  const out: Block[] = [];
  for (let i = 0; i < lines.length;) {
    const line = lines[i]!;
    if (line.startsWith('```')) {
      const end = lines.findIndex((l, j) => j > i && l.startsWith('```'));
      const stop = end === -1 ? lines.length : end;
      out.push({ kind: 'code', text: lines.slice(i + 1, stop).join('\n') });
      i = stop + 1;
    } else if (/^#{1,6} /.test(line)) {
      const level = line.indexOf(' ');
      out.push({ kind: 'heading', level, text: line.slice(level + 1) });
      i++;
    } else if (line.startsWith('|')) {
      const rows: string[][] = [];
      for (; i < lines.length && lines[i]!.startsWith('|'); i++) {
        if (/^\|[-| :]+\|$/.test(lines[i]!)) continue; // the separator row
        rows.push(splitRow(lines[i]!));
      }
      out.push({ kind: 'table', rows });
    } else if (line.trim() === '') i++;
    else {
      const para: string[] = [];
      for (; i < lines.length && lines[i]!.trim() !== '' && !/^(```|#{1,6} |\|)/.test(lines[i]!); i++) para.push(lines[i]!);
      out.push({ kind: 'para', text: para.join(' ') });
    }
  }
  return out;
}

/** Cells split on pipes outside backticks. */
function splitRow(line: string): string[] {
  const cells: string[] = [];
  let cur = '';
  let code = false;
  for (const ch of line.slice(1, line.endsWith('|') ? -1 : undefined)) {
    if (ch === '`') code = !code;
    if (ch === '|' && !code) {
      cells.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  cells.push(cur.trim());
  return cells;
}

/** Inline code and bold; `claimed` (in table rows) hands out the `r-name` ids. */
function inline(text: string, claimed: Set<string> | undefined): string {
  return text.split(/(`[^`]*`)/).map((part) => {
    if (part.startsWith('`') && part.endsWith('`') && part.length >= 2) {
      const name = part.slice(1, -1);
      if (claimed && /^[a-z0-9][a-z0-9-]*$/.test(name) && !claimed.has(name)) {
        claimed.add(name);
        return `<code id="r-${attr(name)}">${esc(name)}</code>`;
      }
      return `<code>${esc(name)}</code>`;
    }
    return esc(part).replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>');
  }).join('');
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const attr = (s: string): string => esc(s).replace(/"/g, '&quot;');
