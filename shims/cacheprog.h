#ifndef REPRISE_CACHEPROG_H
#define REPRISE_CACHEPROG_H

/*
 * Serves go's GOCACHEPROG protocol on stdin/stdout until close (or go's exit), relaying to
 * the daemon on sock (-1: none) and answering on its own once the daemon is gone.
 */
int cacheprog_serve(int sock, const char *runtime_dir, long timeout_ms);

#endif
