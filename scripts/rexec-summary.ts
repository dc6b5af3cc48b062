// Summarises one run of scripts/bench-rexec.sh: wall times and the local-only / remote ratio
// round by round, each cold build's CPU account, and the executor's per-action overheads
// (docs/distributed.md). Reads the run's CSV and the per-build stats files the harness wrote.
//   node dist/scripts/rexec-summary.js ROOT/results/lua5.4.STAMP.csv
import { readFileSync, existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

interface BuildStats {
  wall: number;
  load?: string;
  jobs?: string;
  cpu?: { tool: number; daemon?: [number, number]; executor?: [number, number]; core0?: number; exec?: number };
  executor?: Record<string, number>;
}

const csv = process.argv[2];
if (!csv) throw new Error('usage: rexec-summary.js ROOT/results/CORPUS.STAMP.csv');
const stamp = basename(csv, '.csv');
const logs = join(dirname(csv), '..', 'logs');
const rows = readFileSync(csv, 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
const builds = new Map<string, BuildStats[]>();
for (const [round, config, seconds] of rows) {
  const s: BuildStats = { wall: Number(seconds) };
  const file = join(logs, `${stamp}.${config}.r${round}.stats`);
  if (existsSync(file)) Object.assign(s, parseStats(readFileSync(file, 'utf8')));
  builds.set(config!, [...(builds.get(config!) ?? []), s]);
}

function parseStats(text: string): Partial<BuildStats> {
  const out: Partial<BuildStats> = {};
  const end = text.lastIndexOf('\n}');
  if (text.trimStart().startsWith('{') && end > 0) {
    const json = JSON.parse(text.slice(0, end + 2)) as { executors?: Record<string, Record<string, number>> };
    const e = Object.values(json.executors ?? {})[0];
    if (e) out.executor = e;
  }
  const cpu = /cpu: .*?\) ([\d.]+) s(?:; daemon self\+descendants ([\d.]+) ([\d.]+))?(?:; executor self\+descendants ([\d.]+) ([\d.]+))?/.exec(text);
  if (cpu) {
    out.cpu = { tool: Number(cpu[1]) };
    if (cpu[2]) out.cpu.daemon = [Number(cpu[2]), Number(cpu[3])];
    if (cpu[4]) out.cpu.executor = [Number(cpu[4]), Number(cpu[5])];
  }
  const cg = /cgroup cpu: core0 group ([\d.]+) s; exec group ([\d.]+) s/.exec(text);
  if (cg && out.cpu) [out.cpu.core0, out.cpu.exec] = [Number(cg[1]), Number(cg[2])];
  const mk = /make -j(\d+); loadavg (\S+ \S+ \S+)/.exec(text);
  if (mk) [out.jobs, out.load] = [mk[1], mk[2]];
  return out;
}

const median = (a: number[]): number => {
  const s = [...a].sort((x, y) => x - y);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const f = (x: number, d = 2): string => (Number.isFinite(x) ? x.toFixed(d) : '-');
const cold = (c: string): string => (builds.has(`${c}-cold`) ? `${c}-cold` : c);

console.log(`# ${stamp}\n`);
console.log('| build | make -j | wall s (per round) | median s | load avg after (1 min) | CPU s (medians): build tool | daemon | daemon\'s descendants | CPU 0 in all (cgroup) | CPU 1 in all: the executor and its actions (cgroup) |');
console.log('|---|---|---|---|---|---|---|---|---|---|');
for (const [config, list] of builds) {
  if (config.endsWith('-warm')) continue;
  const m = (g: (b: BuildStats) => number | undefined): string => {
    const v = list.map(g).filter((x): x is number => x !== undefined);
    return v.length ? f(median(v), 1) : '-';
  };
  console.log(`| ${config} | ${list[0]?.jobs ?? '-'} | ${list.map((b) => f(b.wall, 1)).join(', ')} | ${f(median(list.map((b) => b.wall)))} | ${list.map((b) => b.load?.split(' ')[0] ?? '-').join(', ')} | ` +
    `${m((b) => b.cpu?.tool)} | ${m((b) => b.cpu?.daemon?.[0])} | ${m((b) => b.cpu?.daemon?.[1])} | ${m((b) => b.cpu?.core0)} | ${m((b) => b.cpu?.exec)} |`);
}

const base = builds.get(cold('reprise-local1'));
for (const remote of ['reprise-auto', 'reprise-remote', 'reprise-image', 'reprise-seeded', 'reprise-trusted']) {
  const r = builds.get(cold(remote));
  if (!base || !r) continue;
  const per = r.map((b, i) => (base[i] ? base[i]!.wall / b.wall : NaN));
  console.log(`\nlocal-only on one core / ${remote}: per round ${per.map((x) => f(x)).join(', ')}; median of per-round ${f(median(per))}; ratio of medians ${f(median(base.map((b) => b.wall)) / median(r.map((b) => b.wall)))}`);
  // What the wall-time ratio would be with each pinned core to itself: CPU 0's time local-only against the busier core's with the executor.
  const busier = r.map((b, i) => (base[i]?.cpu?.core0 !== undefined && b.cpu?.core0 !== undefined ? base[i]!.cpu!.core0! / Math.max(b.cpu.core0, b.cpu.exec ?? 0) : NaN));
  if (busier.some(Number.isFinite)) console.log(`by CPU (local-only's CPU 0 / ${remote}'s busier core): per round ${busier.map((x) => f(x)).join(', ')}; median ${f(median(busier.filter(Number.isFinite)))}`);
}

console.log('\nPer remote action (medians over rounds of each counter / actions sent):\n');
const keys = ['prepass-ms', 'prepare-ms', 'upload-ms', 'queue-ms', 'input-fetch-ms', 'run-ms', 'execute-ms', 'download-ms'];
console.log(`| build | actions sent (of 136) | ${keys.join(' | ')} | MB up | MB down |`);
console.log(`|---|---|${keys.map(() => '---').join('|')}|---|---|`);
for (const [config, list] of builds) {
  const withExec = list.filter((b) => b.executor && b.executor['actions-sent']! > 0);
  if (config.endsWith('-warm') || withExec.length === 0) continue;
  const per = (k: string): string => f(median(withExec.map((b) => b.executor![k]! / b.executor!['actions-sent']!)), 0);
  const mb = (k: string): string => f(median(withExec.map((b) => b.executor![k]! / 1e6)), 1);
  console.log(`| ${config} | ${withExec.map((b) => b.executor!['actions-sent']).join(', ')} | ${keys.map(per).join(' | ')} | ${mb('upload-bytes')} | ${mb('download-bytes')} |`);
}
