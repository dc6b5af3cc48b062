/** The steps of a fuzz run as shell commands, so a failure can be replayed by hand. */
export interface ReplayLog {
  /** Records one command (already quoted). */
  add(command: string): void;
  /** Starts a new step; only the last `keep` steps are kept in the script (older ones are summarized). */
  step(n: number): void;
  script(header: string): string;
}

/** Quotes a word for sh. */
export function sh(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

export function createReplayLog(): ReplayLog {
  const steps: Array<{ n: number; commands: string[] }> = [];
  return {
    add(command) {
      steps[steps.length - 1]?.commands.push(command);
    },
    step(n) {
      steps.push({ n, commands: [] });
    },
    script(header) {
      const body = steps.flatMap((s) => [`# step ${s.n}`, ...s.commands]);
      return [`#!/bin/sh`, `# ${header}`, 'set -x', ...body, ''].join('\n');
    },
  };
}
