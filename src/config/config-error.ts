/** A bad configuration value. Fatal at start-up, and only there. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}
