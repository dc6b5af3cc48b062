import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { ConfigError } from '../config/config-error.js';

// Each command's module is loaded when it runs: loading them all (the server, the pipeline,
// the doctor's checks) cost every `reprise stats` half a second.
const run = (code: number): void => {
  process.exitCode = code;
};

try {
  await yargs(hideBin(process.argv))
    .scriptName('reprise')
    .usage('$0 <command>\n\nA compiler cache you can trust.')
    .command('exec', 'run a command with the compiler shims first on PATH (reprise exec -- make -j2)', (y) => y.strict(false), async (argv) => {
      run(await (await import('./commands/exec-command.js')).execCommand(argv._.slice(1).map(String)));
    })
    .command('verify', 'run a command like exec, compiling every hit again in the sandbox and comparing (reprise verify -- make -j2)', (y) =>
      y.strict(false).option('json', { type: 'boolean', default: false, describe: 'machine-readable report (docs/verify.md)' }),
    async (argv) => run(await (await import('./commands/verify-command.js')).verifyCommand(argv._.slice(1).map(String), argv.json)))
    .command('explain', 'show how a compiler call would be cached, without compiling (reprise explain -- gcc -c x.c)', (y) => y.strict(false), async (argv) => {
      run(await (await import('./commands/explain-command.js')).explainCommand(argv._.slice(1).map(String)));
    })
    .command('why <file>', 'say what changed between the last two compiles that wrote FILE (reprise why build/x.o)', (y) =>
      y.positional('file', { type: 'string', demandOption: true })
        .option('json', { type: 'boolean', default: false, describe: 'machine-readable (docs/why.md)' }),
    async (argv) => run(await (await import('./commands/why-command.js')).whyCommand(argv.file, argv.json)))
    .command('trace', 'run a command like exec and write the timeline of its compiles: DIR/trace.json (Perfetto) and DIR/timings.html (reprise trace --out DIR -- make -j2)', (y) =>
      y.strict(false).option('out', { type: 'string', demandOption: true, describe: 'the directory to write trace.json and timings.html to' }),
    async (argv) => run(await (await import('./commands/trace-command.js')).traceCommand(argv.out, argv._.slice(1).map(String))))
    .command('dashboard', "open the daemon's live dashboard (a local page; $BROWSER, else its URL is printed)", (y) =>
      y.option('url', { type: 'boolean', default: false, describe: 'print the URL (token included) on one line and exit' }),
    async (argv) => run(await (await import('./commands/dashboard-command.js')).dashboardCommand(argv.url)))
    .command('env', 'print the shell line that puts the shims first on PATH', {}, async () => run((await import('./commands/env-command.js')).envCommand()))
    .command('shims <action> <dir>', 'make a masquerade directory of compiler shims', (y) =>
      y.positional('action', { choices: ['install'] as const, demandOption: true })
        .positional('dir', { type: 'string', demandOption: true })
        .option('name', { type: 'string', array: true, default: [] as string[], describe: 'extra names, e.g. gcc-12 x86_64-linux-gnu-gcc' }),
    async (argv) => run((await import('./commands/shims-command.js')).shimsInstallCommand(argv.dir, argv.name)))
    .command('daemon <action>', 'start, stop or query the per-user daemon', (y) =>
      y.positional('action', { choices: ['start', 'stop', 'status'] as const, demandOption: true })
        .option('json', { type: 'boolean', default: false }),
    async (argv) => run(await (await import('./commands/daemon-command.js')).daemonCommand(argv.action, argv.json)))
    .command('stats', 'show the counters', (y) =>
      y.option('json', { type: 'boolean', default: false, describe: 'machine-readable (docs/stats.md)' })
        .option('zero', { type: 'boolean', default: false, describe: 'reset the counters' }),
    async (argv) => run(await (await import('./commands/stats-command.js')).statsCommand(argv.json, argv.zero)))
    .command('gc', 'evict least recently used entries down to the size limit and remove stale temp files', (y) =>
      y.option('max-size', { type: 'string', describe: 'limit for this run (5G, 500M, 1.5GiB, bytes); default: REPRISE_MAX_SIZE' })
        .option('json', { type: 'boolean', default: false }),
    async (argv) => run(await (await import('./commands/gc-command.js')).gcCommand(argv['max-size'], argv.json)))
    .command('cache <action>', 'clear the cache (every entry, every digest function)', (y) =>
      y.positional('action', { choices: ['clear'] as const, demandOption: true })
        .option('json', { type: 'boolean', default: false }),
    async (argv) => run(await (await import('./commands/cache-command.js')).cacheCommand(argv.action, argv.json)))
    .command('serve', 'run a team cache server: REAPI gRPC and the bazel-remote HTTP layout over one store, until SIGTERM (docs/team-cache.md)', (y) =>
      y.option('listen', { type: 'string', describe: 'HOST:PORT for REAPI v2 gRPC (Bazel --remote_cache=grpc://...)' })
        .option('http', { type: 'string', describe: 'HOST:PORT for the bazel-remote HTTP layout (/ac/, /cas/; ccache layout=bazel)' })
        .option('dir', { type: 'string', demandOption: true, describe: 'the store directory' })
        .option('max-size', { type: 'string', default: '5G', describe: 'size limit, least recently used entries are evicted (5G, 500M, bytes; 0: no limit)' })
        .option('token-file', { type: 'string', describe: 'lines "read TOKEN" or "read-write TOKEN"; without it anyone may read and write' })
        .option('tls-cert', { type: 'string', describe: 'PEM certificate (chain): https and grpcs' })
        .option('tls-key', { type: 'string', describe: 'PEM private key of --tls-cert' })
        .option('execute', { type: 'boolean', default: false, describe: 'also serve REAPI Execution: actions run in a bubblewrap sandbox (docs/remote-execution.md)' })
        .option('jobs', { type: 'number', describe: 'with --execute: actions running at once (default: the number of cores)' })
        .option('max-queue', { type: 'number', default: 1000, describe: 'with --execute: actions waiting for a slot; more are refused (RESOURCE_EXHAUSTED)' })
        .option('exec-timeout', { type: 'number', default: 600, describe: 'with --execute: seconds an action without its own timeout may run' }),
    async (argv) => run(await (await import('./commands/serve-command.js')).serveCommand({
      execute: argv.execute,
      maxQueue: argv['max-queue'],
      execTimeout: argv['exec-timeout'],
      ...(argv.jobs === undefined ? {} : { jobs: argv.jobs }),
      dir: argv.dir,
      maxSize: argv['max-size'],
      ...(argv.listen === undefined ? {} : { listen: argv.listen }),
      ...(argv.http === undefined ? {} : { http: argv.http }),
      ...(argv['token-file'] === undefined ? {} : { tokenFile: argv['token-file'] }),
      ...(argv['tls-cert'] === undefined ? {} : { tlsCert: argv['tls-cert'] }),
      ...(argv['tls-key'] === undefined ? {} : { tlsKey: argv['tls-key'] }),
    })))
    .command('config <action>', 'show the effective settings and where each came from (docs/config.md)', (y) =>
      y.positional('action', { choices: ['show'] as const, demandOption: true })
        .option('json', { type: 'boolean', default: false }),
    async (argv) => run((await import('./commands/config-command.js')).configCommand(argv.action, argv.json)))
    .command('doctor', 'check the installation and say what to fix', {}, async () => run(await (await import('./commands/doctor-command.js')).doctorCommand()))
    .completion('completion', 'print a bash/zsh completion script for reprise (integrations/completion/)')
    .demandCommand(1)
    .strict()
    .fail((msg, err, y) => {
      if (err) throw err; // a command failed: reported below (a ConfigError as one clear line)
      y.showHelp();
      process.stderr.write(`\n${msg}\n`);
      process.exit(1);
    })
    .help()
    .parseAsync();
} catch (e) {
  process.stderr.write(`reprise: ${e instanceof ConfigError ? e.message : (e as Error).stack}\n`);
  process.exitCode = e instanceof ConfigError ? 2 : 1;
}
