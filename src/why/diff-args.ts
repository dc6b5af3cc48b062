/** One difference between two argument lists: changed (from and to), removed (from) or added (to). */
export interface ArgDiff {
  from?: string;
  to?: string;
}

/** Above this many cells the middle of the lists is compared as one block instead of by LCS. */
const MAX_CELLS = 4_000_000;

/**
 * The differences between two argument lists, paired so that they read naturally: a
 * longest common subsequence finds what stayed, and within each run of removed and added
 * arguments, the same option with another value pairs up ("-O2 became -O3").
 */
export function diffArgs(before: readonly string[], after: readonly string[]): ArgDiff[] {
  let head = 0;
  while (head < before.length && head < after.length && before[head] === after[head]) head++;
  let tail = 0;
  while (tail < before.length - head && tail < after.length - head && before[before.length - 1 - tail] === after[after.length - 1 - tail]) tail++;
  const b = before.slice(head, before.length - tail);
  const a = after.slice(head, after.length - tail);
  if (b.length === 0 && a.length === 0) return [];
  if (b.length * a.length > MAX_CELLS) return pairRun(b, a);

  // lcs[i][j]: length of the LCS of b[i..] and a[j..].
  const lcs = Array.from({ length: b.length + 1 }, () => new Uint32Array(a.length + 1));
  for (let i = b.length - 1; i >= 0; i--) {
    for (let j = a.length - 1; j >= 0; j--) {
      lcs[i]![j] = b[i] === a[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const out: ArgDiff[] = [];
  let removed: string[] = [];
  let added: string[] = [];
  const endRun = (): void => {
    out.push(...pairRun(removed, added));
    removed = [];
    added = [];
  };
  let i = 0;
  let j = 0;
  while (i < b.length || j < a.length) {
    if (i < b.length && j < a.length && b[i] === a[j]) {
      endRun();
      i++;
      j++;
    } else if (j >= a.length || (i < b.length && lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) removed.push(b[i++]!);
    else added.push(a[j++]!);
  }
  endRun();
  return out;
}

/** Pairs one run of removed and added arguments: same option first, then by position when the counts agree. */
function pairRun(removed: readonly string[], added: readonly string[]): ArgDiff[] {
  const out: ArgDiff[] = [];
  const rest = [...added];
  const unpaired: string[] = [];
  for (const r of removed) {
    const k = rest.findIndex((x) => optionOf(x) === optionOf(r));
    if (k >= 0) out.push({ from: r, to: rest.splice(k, 1)[0]! });
    else unpaired.push(r);
  }
  if (unpaired.length === rest.length) unpaired.forEach((r, k) => out.push({ from: r, to: rest[k]! }));
  else {
    for (const r of unpaired) out.push({ from: r });
    for (const x of rest) out.push({ to: x });
  }
  return out;
}

/** What an argument sets, without its value: -O2 and -O3, -DX and -DX=1, -fpic and -fno-pic set the same thing. */
export function optionOf(arg: string): string {
  if (!arg.startsWith('-')) return '(operand)';
  const macro = /^-[DU]([^=]*)/.exec(arg);
  if (macro) return `-D${macro[1]}`;
  const eq = arg.indexOf('=');
  if (eq > 0) return arg.slice(0, eq + 1);
  if (/^-O/.test(arg)) return '-O';
  const negated = /^-([fWm])no-(.+)$/.exec(arg);
  if (negated) return `-${negated[1]}${negated[2]}`;
  return arg;
}
