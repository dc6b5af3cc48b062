import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { LRUCache } from 'lru-cache';
import { derivedFingerprint } from '../../adapters/ghc/entity-fingerprint.js';
import { interfaceAbi } from '../../adapters/ghc/interface-abi.js';
import { readInterface, type HomeUsage, type InterfaceSummary } from '../../adapters/ghc/read-interface.js';
import { showIfaceDecls, type ShownInterface } from '../../adapters/ghc/show-iface-decls.js';
import { digestBytes } from '../../hashing/create-hasher.js';
import type { FileDigestCache } from '../../hashing/file-digest-cache.js';
import type { DigestAlgorithm } from '../../hashing/types.js';

/*
 * Per-name early cutoff, as ghc's own recompilation check does it (GHC.Iface.Recomp's
 * checkModUsage): an entry records, for each home interface its compile read, not the
 * interface's whole ABI but the usage ghc wrote into the compiled module's own interface
 * (the imported module's ABI hash then, its export hash for a direct import, and the
 * fingerprint of each entity used). A later lookup accepts the interface when its ABI hash
 * is the same, or else when its export hash (if recorded) and the fingerprints of exactly
 * those entities are. docs/trust-model.md ("## ghc") argues why a result served so is sound.
 */

/** The first line of a usage view (the manifest entry's `view` of an interface input). */
const VIEW = 'ghc-usage-1';

/** Interface files by any suffix ghc is given (ghc-files.ts); boot interfaces keep their whole-ABI digest. */
const INTERFACE = /hi$/;

/** An interface's header and usages, by its whole-ABI digest (which holds the module and its ABI hash). */
const summaries = new LRUCache<string, InterfaceSummary>({ max: 20_000 });
/**
 * `ghc --show-iface` of an interface, by its unit, module and ABI hash: the ABI hash is ghc's
 * fingerprint over the export hash and the declarations' fingerprints, so a module's `.hi`
 * and `.dyn_hi` of one compile share one reading.
 */
const shown = new LRUCache<string, Promise<ShownInterface | undefined>>({ max: 2_000 });

export interface ViewedInputs {
  inputs: Array<{ path: string; digest: string; view?: string }>;
  /** Home interfaces the compile read but recorded no usage of: as for ghc, only their existence is checked. */
  present: string[];
}

/**
 * A fill's inputs with each home interface the module's own interface (`hi`, the compile's
 * output) records a usage of turned into a usage view. Anything this cannot read exactly
 * (the output's usages, an input interface, a usage whose ABI hash is not the one the file
 * read has) keeps its whole-ABI digest: never a weaker check. `readFrom`: where a pinned
 * input's bytes as read are (pin-files.ts).
 */
export async function withUsageViews(algorithm: DigestAlgorithm, inputs: ReadonlyArray<{ path: string; digest: string }>, hi: Buffer | undefined, readFrom?: ReadonlyMap<string, string>): Promise<ViewedInputs> {
  const same = { inputs: [...inputs], present: [] };
  const own = hi ? readInterface(hi) : undefined;
  if (!own) return same;
  const usages = new Map(own.home.map((u) => [u.module, u]));
  const out: ViewedInputs = { inputs: [], present: [] };
  for (const i of inputs) {
    const s = INTERFACE.test(i.path) ? await summaryOf(algorithm, readFrom?.get(i.path) ?? i.path, i.digest) : undefined;
    if (!s || s.unit !== own.unit || s.module === own.module) {
      out.inputs.push(i);
      continue;
    }
    const u = usages.get(s.module);
    if (!u) out.present.push(i.path);
    else if (u.modHash !== s.abiHash) out.inputs.push(i);
    else {
      const view = usageView(u);
      out.inputs.push({ path: i.path, digest: digestBytes(algorithm, Buffer.from(view)).hash, view });
    }
  }
  return out;
}

/**
 * Whether the interface at `path` still satisfies a usage view: the same module, and the same
 * ABI hash, or else (the usage names an export hash or entities) the same export hash and
 * every used entity's fingerprint among the declarations' own or those they bring along.
 */
export function usageCheck(algorithm: DigestAlgorithm, files: FileDigestCache<unknown>, ghc: string): (path: string, view: string) => Promise<boolean> {
  return async (path, view) => {
    const u = parseView(view);
    const d = await files.digest(path);
    if (!u || !d) return false;
    const s = await summaryOf(algorithm, path, d.digest.hash);
    if (!s || s.module !== u.module) return false;
    if (s.abiHash === u.modHash) return true;
    if (u.exportHash === null && u.entities.length === 0) return false; // nothing else to go by: stricter than ghc
    const now = await showIface(algorithm, ghc, path, d.digest.hash, `${s.unit}\0${s.module}\0${s.abiHash}`);
    if (!now || now.abiHash !== s.abiHash) return false;
    if (u.exportHash !== null && now.exportHash !== u.exportHash) return false;
    return u.entities.every(([ns, occ, fp]) => now.decls.has(fp) || derivedOf(now, ns, occ).has(fp));
  };
}

/** The fingerprints `occ` would have as a name brought along by each declaration of an interface, memoised with it. */
const derived = new WeakMap<ShownInterface, Map<string, Set<string>>>();

function derivedOf(i: ShownInterface, ns: number, occ: string): Set<string> {
  let byName = derived.get(i);
  if (!byName) derived.set(i, (byName = new Map()));
  const key = `${ns} ${occ}`;
  let fps = byName.get(key);
  if (!fps) byName.set(key, (fps = new Set([...i.decls].map((parent) => derivedFingerprint(parent, ns, occ)))));
  return fps;
}

function usageView(u: HomeUsage): string {
  return [VIEW, u.module, u.modHash, u.exportHash ?? '-', ...u.entities.map(([ns, occ, fp]) => `${ns} ${fp} ${occ}`)].join('\n');
}

function parseView(v: string): HomeUsage | undefined {
  const [tag, module, modHash, exportHash, ...rest] = v.split('\n');
  if (tag !== VIEW || !module || !modHash || !exportHash) return undefined;
  const entities: HomeUsage['entities'] = [];
  for (const l of rest) {
    const m = /^([0-3]) ([0-9a-f]{32}) (.+)$/.exec(l);
    if (!m) return undefined;
    entities.push([Number(m[1]), m[3]!, m[2]!]);
  }
  return { module, modHash, exportHash: exportHash === '-' ? null : exportHash, entities };
}

/** The interface's summary, read now, when its bytes still have the whole-ABI digest the caller holds. */
async function summaryOf(algorithm: DigestAlgorithm, path: string, digest: string): Promise<InterfaceSummary | undefined> {
  const known = summaries.get(digest);
  if (known) return known;
  const bytes = await bytesWithDigest(algorithm, path, digest);
  const s = bytes ? readInterface(bytes) : undefined;
  if (s) summaries.set(digest, s);
  return s;
}

async function bytesWithDigest(algorithm: DigestAlgorithm, path: string, digest: string): Promise<Buffer | undefined> {
  try {
    const bytes = await readFile(path);
    const abi = interfaceAbi(bytes);
    return abi && digestBytes(algorithm, abi).hash === digest ? bytes : undefined;
  } catch {
    return undefined;
  }
}

/** ghc's own reading of the interface, from a private copy of the bytes that have the digest. */
function showIface(algorithm: DigestAlgorithm, ghc: string, path: string, digest: string, memo: string): Promise<ShownInterface | undefined> {
  const known = shown.get(memo);
  if (known) return known;
  const p = (async () => {
    const bytes = await bytesWithDigest(algorithm, path, digest);
    if (!bytes) return undefined;
    const dir = mkdtempSync(join(tmpdir(), 'reprise-show-iface-'));
    try {
      const copy = join(dir, basename(path));
      writeFileSync(copy, bytes);
      const text = await new Promise<string | undefined>((resolve) => {
        execFile(ghc, ['--show-iface', copy], { cwd: dir, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8' }, timeout: 60_000, maxBuffer: 1 << 28 }, (err, stdout) => resolve(err ? undefined : stdout));
      });
      return text === undefined ? undefined : showIfaceDecls(text);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  })();
  shown.set(memo, p);
  void p.then((r) => {
    if (!r) shown.delete(memo); // a failure is not remembered
  });
  return p;
}
