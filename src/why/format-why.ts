import type { WhyChange, WhyReport } from './types.js';

type Compile = WhyReport['compiles'][number];

/** Digests are shown shortened: enough to tell two apart by eye. */
const short = (digest: string): string => digest.slice(0, 12);

/** `reprise why FILE` for people. `show` turns an absolute path into the one to print. */
export function formatWhy(r: WhyReport, show: (path: string) => string): string {
  const name = show(r.file);
  if (r.verdict === 'no-record') return `${name}: no record (no compile through reprise has written this file)\n`;
  if (r.verdict === 'corrupt-record') return `${name}: the record was corrupt and has been deleted; the next compile starts a new one\n`;
  const lines: string[] = [];
  const [before, after] = r.compiles;
  if (!before) return `${name}: no record\n`;
  if (!after && r.nearest) {
    // The first compile at this path, compared with what its direct key stored elsewhere.
    lines.push(`${name}:`);
    lines.push(`  last compile: ${describe(before)}`);
    lines.push(`  the first compile recorded at this path; compared with the nearest entry stored under the same direct key (result ${short(r.nearest.resultKey)}${r.nearest.later ? ', stored after this compile' : ''})`);
    lines.push(nearestHeadline(r, before, r.nearest.later));
    for (const c of r.changes) lines.push(`  ${describeChange(c, show, before.tool)}`);
    return lines.map((l) => `${l}\n`).join('');
  }
  if (!after) {
    lines.push(before.outcome === 'hit'
      ? `${name}: only one compile recorded, nothing to compare it with`
      : `${name}: only one compile recorded, and nothing to compare it with: no other entry is stored under its direct key (no stored compile had the same compiler, source and key arguments, or their entries left the cache)`);
    lines.push(`  last compile: ${describe(before)}`);
    return lines.map((l) => `${l}\n`).join('');
  }
  lines.push(`${name}:`);
  lines.push(`  compile before: ${describe(before)}`);
  lines.push(`  last compile:   ${describe(after)}`);
  lines.push(headline(r, before, after));
  for (const c of r.changes) lines.push(`  ${describeChange(c, show, after.tool)}`);
  if (!r.headersCompared) lines.push('  (headers not compared: the files one of these compiles read are not known: it was not stored, or its entry left the cache)');
  return lines.map((l) => `${l}\n`).join('');
}

function describe(c: Compile): string {
  const what = c.outcome === 'hit' ? 'a cache hit' : c.outcome === 'miss' ? 'a miss, compiled and stored' : `compiled but not stored (${c.reason ?? 'unknown reason'})`;
  const bound = c.boundTo ? `; its entry serves only ${c.boundTo.pwd} (${c.boundTo.reason ?? 'bound to its directory'})` : '';
  return `${what}, ${c.tool}, ${c.at}${bound}`;
}

function nearestHeadline(r: WhyReport, last: Compile, later: boolean): string {
  const was = last.outcome === 'miss' ? 'a miss' : `not stored (${last.reason ?? 'unknown reason'})`;
  if (r.verdict === 'changed') return `the last compile was ${was}; the nearest entry of its key differs in:`;
  if (!r.headersCompared) return `the last compile was ${was}; the files it read are not known, so they cannot be compared with the nearest entry's`;
  if (later) return `the last compile was ${was}; the nearest entry of its key read the same files, but was stored after it (another directory compiled it since)`;
  return `the last compile was ${was}; the nearest entry of its key read the same files: its result may have left the cache, or a path it had to keep absent existed`;
}

function headline(r: WhyReport, before: Compile, after: Compile): string {
  if (r.verdict === 'changed') {
    if (after.outcome === 'hit') return 'the last compile was a cache hit (of an earlier result); since the compile before, these changed:';
    return `the last compile was ${after.outcome === 'miss' ? 'a miss' : 'not stored'}; since the compile before, these changed:`;
  }
  if (after.outcome === 'hit') return 'the last compile was a cache hit (nothing changed)';
  if (after.outcome === 'not-stored') return `nothing changed; the last compile was not stored (${after.reason ?? 'unknown reason'})`;
  if (before.outcome === 'not-stored') return 'nothing changed; the last compile was a miss because the compile before was not stored';
  return 'nothing changed, yet the last compile was a miss: the earlier result was no longer in the cache (cleared, evicted or found corrupt)';
}

const GHC_TOOL = /^ghc(-[\d.]+)?$/;

function describeChange(c: WhyChange, show: (path: string) => string, tool: string): string {
  // A C compile's inputs past the source are headers and its existence questions __has_include; ghc's are interfaces, objects and package files, and the module search.
  if (GHC_TOOL.test(tool)) {
    if (c.kind === 'header-changed') return `input ${show(c.path)} changed (content ${short(c.from)} → ${short(c.to)})`;
    if (c.kind === 'header-added') return `input ${show(c.path)} is now read`;
    if (c.kind === 'header-removed') return `input ${show(c.path)} is no longer read`;
    if (c.kind === 'header-appeared') return `${show(c.path)} appeared where ghc looked for it before and found nothing`;
    if (c.kind === 'probe-changed') return c.exists ? `${show(c.path)} now exists (ghc asked)` : `${show(c.path)} no longer exists (ghc asked)`;
  }
  const arg = (terminal: boolean): string => (terminal ? 'terminal argument' : 'argument');
  switch (c.kind) {
    case 'argument-changed':
      return `${arg(c.terminal)} ${c.from} became ${c.to}`;
    case 'argument-added':
      return `${arg(c.terminal)} ${c.value} added`;
    case 'argument-removed':
      return `${arg(c.terminal)} ${c.value} removed`;
    case 'key-input-changed':
      return describeKeyInput(c.tag, c.from, c.to, show);
    case 'header-changed':
      return `header ${show(c.path)} changed (content ${short(c.from)} → ${short(c.to)})`;
    case 'header-added':
      return `header ${show(c.path)} is now read`;
    case 'header-removed':
      return `header ${show(c.path)} is no longer read`;
    case 'header-appeared':
      return `header ${show(c.path)} appeared (it was absent before: it shadows another header, or satisfies a __has_include)`;
    case 'probe-changed':
      return c.exists ? `${show(c.path)} now exists (__has_include)` : `${show(c.path)} no longer exists (__has_include)`;
    case 'entry-bound':
      return `that entry serves only compiles in ${c.pwd}, where it was stored: ${c.reason ?? 'its result may hold that directory\'s paths'}`;
  }
}

/** Transcript values of file entries are "PATH DIGEST". */
function splitFile(v: string): { path: string; digest: string } {
  const k = v.lastIndexOf(' ');
  return k < 0 ? { path: v, digest: '' } : { path: v.slice(0, k), digest: v.slice(k + 1) };
}

function describeKeyInput(tag: string, from: string | null, to: string | null, show: (path: string) => string): string {
  const val = (v: string | null): string => (v === null ? '(not in the key)' : v === '' ? '(empty)' : v);
  if (from !== null && to !== null && (tag.startsWith('tool:') || tag === 'source' || tag === 'extra-input')) {
    const a = splitFile(from);
    const b = splitFile(to);
    const what = tag === 'source' ? 'source' : tag === 'extra-input' ? 'extra input' : `compiler program ${tag.slice('tool:'.length)}`;
    const upgrade = tag.startsWith('tool:') ? ' (the compiler was upgraded or replaced)' : '';
    if (a.path === b.path) return `${what} ${show(a.path)} changed (content ${short(a.digest)} → ${short(b.digest)})${upgrade}`;
    return `${what} ${show(a.path)} became ${show(b.path)}${upgrade}`;
  }
  if (tag.startsWith('env:')) return `environment variable ${tag.slice('env:'.length)} changed: ${val(from)} → ${val(to)}`;
  if (tag.startsWith('tool:')) return `compiler program ${tag.slice('tool:'.length)}: ${val(from)} → ${val(to)}`;
  switch (tag) {
    case 'salt':
      return `reprise's key rules changed (${val(from)} → ${val(to)}): results stored before no longer apply`;
    case 'language':
      return `language ${val(from)} became ${val(to)}`;
    case 'cwd':
      if (from === null) return `the working directory ${val(to)} is now in the key (the outputs record it)`;
      if (to === null) return 'the working directory is no longer in the key';
      return `working directory ${from} became ${to} (the outputs record it)`;
    case 'host-cpu':
      return from !== null && to !== null ? 'the host CPU changed (-march=native)' : `the host CPU is ${to === null ? 'no longer' : 'now'} in the key (-march=native)`;
    default:
      return `${tag}: ${val(from)} → ${val(to)}`;
  }
}
