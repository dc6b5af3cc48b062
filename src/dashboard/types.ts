// The dashboard's wire formats: its server-sent events (`hello` once, then `tick` every
// second) and the JSON of `/why`. Fields are only ever added.
import type { CallEvent } from '../calls/types.js';
import type { Language } from '../calls/language-of.js';
import type { StatsSnapshot } from '../stats/types.js';
import type { WhyReport } from '../why/types.js';

/** Cumulative counters of one language's tools at one moment: rates are the differences between samples. */
export interface LanguageCounts {
  calls: number;
  hits: number;
  misses: number;
  uncacheable: number;
}

export interface DashboardSample {
  /** ms since the epoch. */
  at: number;
  languages: Partial<Record<Language, LanguageCounts>>;
}

/** The daemon as the page's header shows it. */
export interface DashboardDaemon {
  pid: number;
  version: string;
  startedAt: string;
  jobsRunning: number;
  jobsWaiting: number;
  maxJobs: number;
}

/** `event: hello`: the samples kept so far (the charts' history, up to ten minutes). */
export interface DashboardHello {
  history: DashboardSample[];
}

/** `event: tick`, once a second. */
export interface DashboardTick {
  sample: DashboardSample;
  /** As `reprise stats --json` prints it, store size included. */
  stats: StatsSnapshot;
  daemon: DashboardDaemon;
  /** The latest calls that missed or were not stored, newest first. */
  misses: CallEvent[];
}

/** `GET /why?output=FILE`: the `reprise why` report of FILE and its text. */
export interface DashboardWhy {
  report: WhyReport;
  text: string;
}
