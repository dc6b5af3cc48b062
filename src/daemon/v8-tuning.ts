// Imported first by main.ts, so that it runs before any other module's code.
import { setFlagsFromString } from 'node:v8';

// A cold build's burst of calls made V8 optimise about 550 functions on its background
// threads: about a third of the daemon's CPU, taken from the compilers beside it. Eight
// times the default feedback before optimising leaves that to the really hot functions
// (docs/benchmarks.md, "The cold build's CPU, and fills without the pre-pass").
setFlagsFromString('--interrupt-budget=540672');
