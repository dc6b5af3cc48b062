/**
 * A setting's value is wrong; the message says what is allowed. The layer that read it
 * (a variable, a line of the config file) turns it into a ConfigError naming where.
 */
export class ValueProblem extends Error {
  override readonly name = 'ValueProblem';
}
