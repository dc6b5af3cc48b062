import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** Where the build puts the native parts, relative to this checkout (dist/src/runtime → root). */
const root = fileURLToPath(new URL('../../../', import.meta.url));

export const installPaths = {
  root,
  shimBinary: join(root, 'build', 'reprise-shim'),
  launcher: join(root, 'build', 'reprise-daemon'),
  spawner: join(root, 'build', 'reprise-spawner'),
  /** Preloaded into every sandboxed compile: records its file-system lookups (shims/lookup-trace.c). */
  lookupTrace: join(root, 'build', 'lookup-trace.so'),
  /** The checkout's own masquerade directory, used by `reprise exec` and `reprise env`. */
  shimDir: join(root, 'build', 'shims'),
  daemonMain: join(root, 'dist', 'src', 'daemon', 'main.js'),
  packageJson: join(root, 'package.json'),
};
