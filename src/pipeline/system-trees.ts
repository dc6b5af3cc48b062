/**
 * The system's trees: what a traced fill finds absent or lists there is taken on trust, as
 * the toolchain is (a package upgrade there changes the toolchain's identity, which is keyed).
 */
export const SYSTEM_TREES: readonly string[] = ['/usr', '/lib', '/lib32', '/lib64', '/libx32', '/bin', '/sbin', '/etc'];
