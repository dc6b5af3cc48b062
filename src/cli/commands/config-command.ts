import { describeConfig } from '../../config/describe-config.js';
import { resolveConfig } from '../../config/resolve-config.js';
import { formatConfig } from '../format-config.js';

/** `reprise config show [--json]`: the effective settings and where each came from, secrets redacted. A bad file or variable is a ConfigError (exit 2). */
export function configCommand(action: 'show', json: boolean): number {
  const d = describeConfig(resolveConfig(process.env));
  process.stdout.write(json ? `${JSON.stringify(d, null, 2)}\n` : formatConfig(d));
  return 0;
}
