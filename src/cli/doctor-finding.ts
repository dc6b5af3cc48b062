/** One line of `reprise doctor`: ok, warn or fail, what was found, and what to do about it. */
export type Level = 'ok' | 'warn' | 'fail';

export interface Finding {
  level: Level;
  what: string;
  fix?: string;
}
