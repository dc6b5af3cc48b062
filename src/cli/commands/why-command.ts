import { statSync } from 'node:fs';
import { relative } from 'node:path';
import { adminRequest } from '../../client/admin-request.js';
import { loadConfig } from '../../config/load-config.js';
import { runtimePaths } from '../../runtime/runtime-paths.js';
import { canonicalOutputPath } from '../../why/canonical-output-path.js';
import { formatWhy } from '../../why/format-why.js';
import type { WhyReport } from '../../why/types.js';
import { whyReportFor } from '../../why/why-report-for.js';

/**
 * `reprise why FILE [--json]`: what changed between the last two compiles that wrote FILE
 * (docs/why.md). Reads the records from the cache directory; a running daemon is first
 * asked to write the ones it has queued. Exit 0 with a record, 1 without.
 */
export async function whyCommand(file: string, json: boolean): Promise<number> {
  const config = loadConfig();
  const cwd = process.cwd();
  const output = await canonicalOutputPath(cwd, file);
  // No daemon (or an older one) is fine: then every record is on disk already.
  await adminRequest(runtimePaths(config.runtimeDir).socket, 'why-flush', { output });
  let report: WhyReport;
  try {
    report = await whyReportFor(config.cacheDir, config.digest, output);
  } catch (e) {
    process.stderr.write(`reprise why: ${(e as Error).message}\n`);
    return 1;
  }
  // Paths a compile spelled through a symlinked $PWD print relative to the shell's $PWD too.
  const logical = logicalCwd(cwd);
  const bases = logical ? [cwd, logical] : [cwd];
  const show = (p: string): string => {
    for (const base of bases) {
      const rel = relative(base, p);
      if (rel !== '' && !rel.startsWith('..')) return rel;
    }
    return p;
  };
  if (json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else if (report.verdict === 'no-record' || report.verdict === 'corrupt-record') process.stderr.write(`reprise why: ${formatWhy(report, show)}`);
  else process.stdout.write(formatWhy(report, show));
  return report.compiles.length > 0 ? 0 : 1;
}

/** $PWD when it names the working directory by another spelling (a symlink), as gcc takes it. */
function logicalCwd(cwd: string): string | undefined {
  const pwd = process.env.PWD;
  if (!pwd || pwd === cwd || !pwd.startsWith('/')) return undefined;
  const a = statSync(pwd, { throwIfNoEntry: false });
  const b = statSync(cwd, { throwIfNoEntry: false });
  return a && b && a.dev === b.dev && a.ino === b.ino ? pwd : undefined;
}
