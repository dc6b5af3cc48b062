// A C or C++ miss filled on a REAPI executor (docs/remote-execution.md, "The trust argument").
// The executor never decides what the compile sees: the host answers first. The compile's
// dependency pre-pass runs here under the lookup tracer over the host's read-only view, and
// the input root is then the toolchain, every file it read and every file it found present
// (an include candidate, a __has_include target), so each existence question gets the host's
// answer there too; what is absent here is absent there (the root holds nothing else, and
// --sysroot keeps the search inside it). The executor proves from the compile's own -MD list
// that it read nothing outside the root. Only a successful remote compile answers the
// caller; anything else is counted and filled locally (cached-compile.ts).
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { GCC_KEY_ENV } from '../adapters/gcc/gcc-direct-key.js';
import type { Sandbox } from '../exec/create-sandbox.js';
import { readHead } from '../exec/read-head.js';
import { createRemoteExecutor, type RemoteCompile } from '../exec/remote/create-remote-executor.js';
import { defaultPlatform as defaultPlatformProps, warmGccToolchain } from '../exec/remote/build-gcc-action.js';
import type { CacheContext } from './cache-context.js';
import type { CallSink } from './call-sink.js';
import { storeAndDeliver, type CompileCall, type FillKey } from './cached-compile.js';
import { filesAsOpened, type Learned } from './learn-inputs.js';
import { learnTraced } from './learn-traced.js';
import { jobOutputs } from './place-outputs.js';
import { configuredPlatform, toolchainOf } from './remote/configured-platform.js';
import { fallBack, heading, sendRemote, type RemoteAnswer, type RemoteOffer } from './remote/offer-remote.js';
import { provenBy } from './remote/proven-by.js';
import type { RemoteExecution, RemoteTarget } from './remote/types.js';
import type { InputGuesses } from './remote/input-guesses.js';
import { verifyRemoteTrace } from './remote/verify-remote-trace.js';
import { windowStartNs } from './window-start-ns.js';
import type { RunOutcome } from './store-compile.js';
import { tracedDepScan } from './traced-dep-scan.js';

/** Languages whose every read and lookup the preprocessor's pre-pass shows (an assembler's .include it does not). */
const SENDABLE_LANGUAGES = new Set(['c', 'c++', 'c-header', 'c++-header']);
/** Variables that name directories the compile searches or runs from: on the executor they would name its disk. */
const PATH_ENV = ['CPATH', 'C_INCLUDE_PATH', 'CPLUS_INCLUDE_PATH', 'OBJC_INCLUDE_PATH', 'GCC_EXEC_PREFIX', 'COMPILER_PATH', 'GCC_ROOT', 'G++_ROOT', 'BINUTILS_ROOT', 'DEPENDENCIES_OUTPUT', 'SUNPRO_DEPENDENCIES'];
/** Inline assembly that reads a file: `as` reads it, and no depfile or pre-pass shows it. */
const ASM_READS = /\.incbin\b|\.include\s*\\?"/;
const asmReadsByDigest = new Map<string, boolean>();

/** True when the caller was answered from an executor; false: fill locally (the reason is counted). Call it in the turn that decided it (goesRemote). */
export async function fillRemotely(ctx: CacheContext, remote: RemoteExecution, sandbox: Sandbox, c: CompileCall, direct: FillKey, sink: CallSink): Promise<boolean> {
  const arrived = heading(remote);
  try {
    return await fillHeaded(ctx, remote, sandbox, c, direct, sink, arrived);
  } finally {
    arrived();
  }
}

async function fillHeaded(ctx: CacheContext, remote: RemoteExecution, sandbox: Sandbox, c: CompileCall, direct: FillKey, sink: CallSink, arrived: () => void): Promise<boolean> {
  const order = remote.order();
  const first = order[0]!;
  const notSendable = whyNotSendable(c) ?? whyDriverStaysHere(remote, order, direct);
  if (notSendable) return (fallBack(ctx, first, 'not-sendable', `${c.job.source}: ${notSendable}`), false);

  // A trusted executor traces the compile: it goes with the inputs earlier compiles here found, and no pre-pass (input-guesses.ts).
  // Only when it is this call's turn (the rotation's first): otherwise every miss would go to the tracing executors and leave the others idle.
  const tracing = order.filter((t) => provenBy(t.spec) && t.traces === true);
  const guess = tracing[0] === first ? remote.guesses.guess(c) : undefined;
  if (guess) {
    const guessed = await fillGuessed(ctx, remote, tracing, c, direct, sink, arrived, guess);
    // A guess that lacked what the compile needed goes again with a pre-pass: a compile here would cost this core more.
    if (guessed !== 'retry') return guessed;
  }

  const t0 = performance.now();
  const programs = programsOf(direct);
  const toolchain = ctx.toolchain(c.toolPath, Object.fromEntries(c.env));
  toolchain.catch(() => undefined); // awaited below, unless the call falls back first
  // The toolchain's digests start beside the pre-pass (the first actions of a build would wait for them after it); a failure shows when the action is built.
  if (order.some((t) => toolchainOf(remote, t.name) === 'action')) {
    void toolchain.then((files) => warmGccToolchain({ toolPath: c.toolPath, programs, toolchain: files, algorithm: 'sha256', memo: remote.digests })).catch(() => undefined);
  }
  const scan = await tracedDepScan(ctx, sandbox, c, sink.signal);
  if (scan.kind === 'failed') return (fallBack(ctx, first, 'not-learned', `${c.job.source}: ${scan.why}`), false);
  const taught = await learnTraced(ctx, c, scan.depText, scan.trace, scan.scratchRoots);
  if (taught.kind === 'gap') return (fallBack(ctx, first, 'not-learned', `${c.job.source}: ${taught.reason}`), false);
  const learned = taught.learned;
  const unseen = await whyNotSendableInputs(ctx, learned);
  ctx.stats.bumpExecutor(first.name, 'prepass-ms', Math.round(performance.now() - t0));
  if (unseen) return (fallBack(ctx, first, 'not-sendable', `${c.job.source}: ${unseen}`), false);

  // Every file the host compile would find: those it read, and those its lookups found present.
  const inputs = [...new Set([...filesAsOpened(c, learned), ...learned.existing])];
  // A trusted executor not yet known to trace is asked to: one that does gets the next misses without a pre-pass.
  const ask = provenBy(first.spec) && first.traces !== false;
  const answer = await sendRemote(ctx, remote, order, await offerOf(ctx, remote, c, inputs, await toolchain, programs, arrived, ask), sink);
  if (answer.kind !== 'completed') return false;
  if (ask && answer.target === first) first.traces = answer.result.lookups !== undefined;
  return deliverRemote(ctx, c, direct, answer, learned, scan.startedAtNs, sink);
}

/**
 * A miss sent to the trusted executors with `guess` for its inputs and no pre-pass here. The
 * executor traces the compile, and its result is taken only when the trace proves that every
 * question the compile asked was answered there as here (verify-remote-trace.ts). `retry`: it
 * failed there or was not proven, and goes again with a pre-pass, whose learning then teaches
 * the guesses what they lacked; false: fill locally.
 */
async function fillGuessed(ctx: CacheContext, remote: RemoteExecution, tracing: RemoteTarget[], c: CompileCall, direct: FillKey, sink: CallSink, arrived: () => void, guess: NonNullable<ReturnType<InputGuesses['guess']>>): Promise<boolean | 'retry'> {
  const startedAtNs = windowStartNs();
  const programs = programsOf(direct);
  let toolchain;
  try {
    toolchain = await ctx.toolchain(c.toolPath, Object.fromEntries(c.env));
  } catch (e) {
    return (fallBack(ctx, tracing[0]!, 'not-sendable', `${c.job.source}: ${(e as Error).message}`), false);
  }
  ctx.stats.bumpExecutor(tracing[0]!.name, 'guessed');
  let learned: Learned | undefined;
  const offer = await offerOf(ctx, remote, c, guess.files, toolchain, programs, arrived, true);
  offer.action.maybeInputs = guess.maybe;
  offer.action.dirs = guess.dirs;
  offer.proves = async (result) => {
    if (!result.lookups) return 'no lookup trace came back';
    const proof = await verifyRemoteTrace(ctx, c, result.lookups, remote.digests);
    if (proof.kind === 'unproven') return proof.why;
    learned = proof.learned;
    return whyNotSendableInputs(ctx, learned);
  };
  const answer = await sendRemote(ctx, remote, tracing, offer, sink);
  if (answer.kind === 'missed') {
    remote.guesses.outcome(c, false);
    return sink.signal.aborted ? false : 'retry';
  }
  if (answer.kind !== 'completed') return false;
  remote.guesses.outcome(c, true);
  return deliverRemote(ctx, c, direct, answer, learned!, startedAtNs, sink);
}

/** The programs the driver runs (cc1, as...), from the tool's identified parts. */
function programsOf(direct: FillKey): string[] {
  return direct.ticket.tool.parts.filter((p) => p.name !== 'driver').map((p) => p.path);
}

/** The gcc action of a miss over `inputs` (host files), offered to the executors; `traced` asks for its lookup trace. */
async function offerOf(ctx: CacheContext, remote: RemoteExecution, c: CompileCall, inputs: string[], toolchain: readonly string[], programs: string[], arrived: () => void, traced: boolean): Promise<RemoteOffer<RemoteCompile>> {
  const outputs = jobOutputs(c.job);
  const action: RemoteCompile = {
    toolPath: c.toolPath,
    args: [...c.job.runArgs, ...c.terminalArgs],
    cwd: c.cwd,
    env: new Map(GCC_KEY_ENV.flatMap((n) => (c.env.has(n) ? [[n, c.env.get(n)!] as const] : []))),
    inputs,
    toolchain,
    // What an executor with the toolchain in its image (toolchain = "image") searches on its own disk.
    systemDirs: await ctx.systemIncludeDirs(c.toolPath, c.job.language, c.job.systemDirArgs, Object.fromEntries(c.env)),
    programs,
    outputs: outputs.map((o) => o.path),
    ...(c.job.depfile ? { depfiles: [c.job.depfile.path] } : {}),
    ...(traced ? { traceLookups: true } : {}),
  };
  return {
    kind: 'gcc',
    make: (name, client, observer) => createRemoteExecutor(name, client, { observer, memo: remote.digests, ...platformOf(remote, name), toolchainIn: toolchainOf(remote, name) }),
    action,
    label: `${c.tool} ${c.job.source} in ${c.cwd}`,
    arrived,
    lacks: (result) => {
      const missing = outputs.find((o) => !result.outputs.has(resolve(c.cwd, o.path)));
      return missing && `${missing.path} did not come back`;
    },
  };
}

/** A remote compile's outputs to the caller, stored as the executor's trust allows. */
async function deliverRemote(ctx: CacheContext, c: CompileCall, direct: FillKey, answer: Extract<RemoteAnswer, { kind: 'completed' }>, learned: Learned, startedAtNs: bigint, sink: CallSink): Promise<boolean> {
  if (sink.signal.aborted) return (sink.abandon(), true);
  const data = jobOutputs(c.job).map((o) => answer.result.outputs.get(resolve(c.cwd, o.path))!.data);
  sink.ranHidden();
  const r: RunOutcome = { code: 0, signal: 0, stdout: answer.result.stdout, stderr: answer.result.stderr, startedAtNs, durationMs: Math.round(answer.result.timings.executeMs) };
  // Stored as sandboxed (shareable) only from an executor trusted to run exactly the input root, toolchain included, in a sandbox.
  if (answer.target.spec.toolchain === 'image') ctx.stats.bumpExecutor(answer.target.name, 'image-unproven');
  await storeAndDeliver(ctx, c, direct, r, data, learned, { sandboxed: provenBy(answer.target.spec), executor: answer.target.name }, sink);
  return true;
}

/** Why this compile cannot be shown to see on an executor what it sees here, from its call alone. */
function whyNotSendable(c: CompileCall): string | undefined {
  if (!SENDABLE_LANGUAGES.has(c.job.language)) return `language ${c.job.language}`;
  if (c.job.nativeCpu) return '-march=native and kin name the host CPU';
  if (c.job.extraInputs.length > 0) return `it reads ${c.job.extraInputs[0]} besides its includes`;
  const envPath = PATH_ENV.find((n) => c.env.get(n));
  if (envPath) return `${envPath} is set`;
  // gcc records $PWD, not the directory it runs in, when they differ; the executor's are the same.
  if (c.job.cwdInKey && c.keyCwd !== c.cwd) return `the outputs record $PWD ${c.keyCwd}, a symlink to ${c.cwd}`;
  const args = [...c.job.runArgs, ...c.terminalArgs];
  // The root holds no empty directories: a search directory with nothing read from it is missing there.
  if (args.includes('-Wmissing-include-dirs')) return '-Wmissing-include-dirs';
  if (startsWithShebang(c.toolPath)) return `${c.toolPath} is a script`;
  return undefined;
}

/**
 * A driver that is its own compiler (clang: no cc1 to run) finds its resource directory and
 * the GCC installation it takes libstdc++ from by its own location and by looking around the
 * file system, which a root of the files it read does not reproduce: sent with the toolchain,
 * its compiles were refused (read-outside-root) after the toolchain's upload (about 320 MB) and
 * a run there. Only an image that has it can take it.
 */
function whyDriverStaysHere(remote: RemoteExecution, order: readonly RemoteTarget[], direct: FillKey): string | undefined {
  const ownCompiler = !direct.ticket.tool.parts.some((p) => p.name === 'cc1' || p.name === 'cc1plus');
  if (!ownCompiler || order.some((t) => toolchainOf(remote, t.name) === 'image')) return undefined;
  return 'the driver is its own compiler (clang), whose files cannot travel in the action yet';
}

/** Why the inputs cannot be shown the same remotely: an absolute probe looks at the executor's own disk, and inline assembly may read files no list shows. */
async function whyNotSendableInputs(ctx: CacheContext, learned: Learned): Promise<string | undefined> {
  for (const { path, digest } of learned.inputs) {
    const d = await ctx.files.digest(path);
    const probe = d?.scan.probes.find((p) => isAbsolute(p.name));
    if (probe) return `${path} probes the absolute path ${probe.name}`;
    let asm = asmReadsByDigest.get(digest);
    if (asm === undefined) {
      asm = ASM_READS.test(readText(path));
      if (asmReadsByDigest.size > 50_000) asmReadsByDigest.clear();
      asmReadsByDigest.set(digest, asm);
    }
    if (asm) return `${path} has inline assembly that reads a file`;
  }
  return undefined;
}

/** A file's text (inputs are sources and headers, read just now by the pre-pass). */
function readText(path: string): string {
  try {
    return readFileSync(path, 'latin1');
  } catch {
    return '.incbin'; // unreadable now: do not send
  }
}

function startsWithShebang(path: string): boolean {
  const head = readHead(path, 2);
  return head === undefined || head.toString('latin1') === '#!'; // unreadable now: do not send
}

/** The configured platform properties of an executor, after OSFamily and ISA. */
function platformOf(remote: RemoteExecution, name: string): { platform?: Array<{ name: string; value: string }> } {
  const extra = configuredPlatform(remote, name);
  return extra.length === 0 ? {} : { platform: [...defaultPlatformProps(), ...extra] };
}
