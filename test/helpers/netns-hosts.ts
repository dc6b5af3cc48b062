// Hosts for tests of what crosses a network: each a network namespace of its own (`ip netns`),
// joined by veth pairs to one bridge, so each has its own address and its own loopback, and
// a process killed in one is gone for the others as a machine would be. Needs root and iproute2.
import { execFileSync } from 'node:child_process';

export interface NetHost {
  /** The namespace's name. */
  ns: string;
  /** Its address on the bridge. */
  ip: string;
  /** A command line run inside the namespace: `ip netns exec NS ...cmd`. */
  wrap(cmd: readonly string[]): string[];
  /** The processes running inside it now. */
  pids(): number[];
  /** Takes its link down, as a pulled cable or a machine that lost power: its peers get no FIN or RST, their packets are dropped. */
  unplug(): void;
  /** SIGKILLs every process inside it (a machine going away); returns how many. */
  kill(): number;
}

export interface NetHosts {
  hosts: NetHost[];
  /** Removes the namespaces (killing what still runs in them), the veths and the bridge. */
  cleanup(): void;
}

const ip = (...args: string[]): void => void execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });

/** Why namespaces cannot be made here, or undefined when they can. */
export function netnsMissing(): string | undefined {
  if (process.getuid?.() !== 0) return 'network namespaces need root';
  try {
    execFileSync('ip', ['netns', 'list'], { stdio: 'ignore' });
  } catch {
    return 'iproute2 (`ip`) is not installed';
  }
  return undefined;
}

/** `count` hosts on one private /24 (10.213.N.0, N from the pid), named uniquely for this process. */
export function createNetHosts(count: number): NetHosts {
  const tag = `${process.pid % 100000}`;
  const net = `10.213.${process.pid % 250}`;
  const bridge = `rpb${tag}`;
  const hosts: NetHost[] = [];
  const veths: string[] = [];
  const cleanup = (): void => {
    for (const h of hosts) {
      h.kill(); // whatever still runs there (daemons, servers) dies with the test, as a powered-off machine
      try { ip('netns', 'del', h.ns); } catch { /* already gone */ }
    }
    for (const v of veths) try { ip('link', 'del', v); } catch { /* went with its namespace */ }
    try { ip('link', 'del', bridge); } catch { /* none */ }
  };
  try {
    ip('link', 'add', bridge, 'type', 'bridge');
    ip('link', 'set', bridge, 'up');
    for (let i = 0; i < count; i++) {
      const ns = `rp${tag}-${String.fromCharCode(97 + i)}`;
      const outer = `rpv${tag}${i}`;
      const inner = `rpi${tag}${i}`;
      ip('netns', 'add', ns);
      hosts.push(netHost(ns, `${net}.${i + 2}`, inner));
      ip('link', 'add', outer, 'type', 'veth', 'peer', 'name', inner);
      veths.push(outer);
      ip('link', 'set', inner, 'netns', ns);
      ip('link', 'set', outer, 'master', bridge);
      ip('link', 'set', outer, 'up');
      ip('-n', ns, 'addr', 'add', `${net}.${i + 2}/24`, 'dev', inner);
      ip('-n', ns, 'link', 'set', inner, 'up');
      ip('-n', ns, 'link', 'set', 'lo', 'up');
    }
  } catch (e) {
    cleanup();
    throw e;
  }
  return { hosts, cleanup };
}

function netHost(ns: string, address: string, link: string): NetHost {
  const pids = (): number[] => {
    try {
      return execFileSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
    } catch {
      return []; // already gone
    }
  };
  return {
    ns,
    ip: address,
    wrap: (cmd) => ['ip', 'netns', 'exec', ns, ...cmd],
    pids,
    unplug: () => ip('-n', ns, 'link', 'set', link, 'down'),
    kill() {
      let n = 0;
      for (const p of pids()) {
        try {
          process.kill(p, 'SIGKILL');
          n++;
        } catch {
          /* exited meanwhile */
        }
      }
      return n;
    },
  };
}
