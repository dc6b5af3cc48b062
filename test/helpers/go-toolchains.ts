// Real go commands for the Go tests: Debian's go 1.19 (golang-go), and go 1.23 built with the
// cacheprog experiment (../shared/go/build-go-cacheprog.sh, once, cached outside the
// checkout in ~/.cache/reprise-test). Never installs packages: .ci/run does that.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { installPaths } from '../../src/runtime/install-paths.js';

export interface GoToolchain {
  /** A directory holding only `go`, to put on PATH after the shims. */
  binDir: string;
  /** Variables the go command needs (GOROOT for the experiment build). */
  env: Record<string, string>;
}

const CACHEPROG_GO = process.env.REPRISE_GO_CACHEPROG ?? join(homedir(), '.cache', 'reprise-test', 'go-cacheprog');
const BUILD_SCRIPT = join(installPaths.root, '..', 'shared', 'go', 'build-go-cacheprog.sh');
const GO123 = '/usr/lib/go-1.23';
const GO119 = '/usr/lib/go-1.19';

function binDirFor(real: string, where: string): string {
  mkdirSync(where, { recursive: true });
  const link = join(where, 'go');
  if (!existsSync(link)) symlinkSync(real, link);
  return where;
}

/** go 1.23 with GOCACHEPROG compiled in, built once; or why there is none. */
export function cacheProgGo(scratch: string): GoToolchain | { missing: string } {
  if (!existsSync(join(GO123, 'bin', 'go'))) return { missing: `${GO123} is not installed (apt-get install -t bookworm-backports golang-1.23-go)` };
  if (!existsSync(CACHEPROG_GO)) {
    if (!existsSync(BUILD_SCRIPT)) return { missing: `no ${CACHEPROG_GO} and no ${BUILD_SCRIPT}` };
    mkdirSync(dirname(CACHEPROG_GO), { recursive: true });
    try {
      execFileSync(BUILD_SCRIPT, [CACHEPROG_GO], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 600_000, cwd: '/' });
    } catch (e) {
      return { missing: `building the cacheprog go failed: ${(e as Error).message}` };
    }
  }
  return { binDir: binDirFor(CACHEPROG_GO, join(scratch, 'go123-bin')), env: { GOROOT: GO123 } };
}

/** Debian's go 1.19 (reads no GOCACHEPROG). */
export function go119(scratch: string): GoToolchain | { missing: string } {
  const go = join(GO119, 'bin', 'go');
  if (!existsSync(go)) return { missing: `${go} is not installed (apt-get install golang-go)` };
  return { binDir: binDirFor(go, join(scratch, 'go119-bin')), env: { GOROOT: GO119 } };
}

/**
 * Debian's go 1.19 for a test file: the toolchain, and why its tests skip (false when they run).
 * Under CI a missing go 1.19 is an error, not a skip.
 */
export function go119ForTests(scratch: string): { tc: GoToolchain; skip: string | false } {
  const found = go119(scratch);
  const skip = 'missing' in found ? found.missing : false;
  if (skip && process.env.CI) throw new Error(`go 1.19 is required under CI: ${skip}`);
  return { tc: found as GoToolchain, skip };
}

/**
 * The environment for a go build: the toolchain's go after the shims (or bare), a private
 * GOCACHE and GOPATH, nothing from the caller's Go settings.
 */
export function goEnv(base: NodeJS.ProcessEnv, tc: GoToolchain, gocache: string, gopath: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base, ...tc.env, GOCACHE: gocache, GOPATH: gopath, GOTOOLCHAIN: 'local', GOFLAGS: '', GO111MODULE: '', GOPROXY: 'off', CGO_ENABLED: '0' };
  for (const k of ['GOCACHEPROG', 'GOEXPERIMENT', 'REPRISE_GO']) delete env[k];
  const path = env.PATH ?? '';
  // The shims (if present) stay first; the toolchain's go comes right after them.
  env.PATH = path.startsWith(installPaths.shimDir + ':') ? `${installPaths.shimDir}:${tc.binDir}:${path.slice(installPaths.shimDir.length + 1)}` : `${tc.binDir}:${path}`;
  return env;
}

/** A small module: a main package, a library package with a test, and enough std to matter. */
export function writeGoProject(dir: string): void {
  mkdirSync(join(dir, 'greet'), { recursive: true });
  writeFileSync(join(dir, 'go.mod'), 'module example.com/hello\n\ngo 1.19\n');
  writeFileSync(join(dir, 'main.go'), `package main

import (
	"encoding/json"
	"fmt"
	"os"

	"example.com/hello/greet"
)

func main() {
	b, _ := json.Marshal(map[string]string{"greeting": greet.Hello(os.Args[0])})
	fmt.Println(string(b))
}
`);
  writeFileSync(join(dir, 'greet', 'greet.go'), `package greet

import "strings"

// Hello greets a name in capitals.
func Hello(name string) string { return "hello, " + strings.ToUpper(name) }
`);
  writeFileSync(join(dir, 'greet', 'greet_test.go'), `package greet

import "testing"

func TestHello(t *testing.T) {
	if Hello("go") != "hello, GO" {
		t.Fatal(Hello("go"))
	}
}
`);
}
