#include "hello.h"

const char *greeting(void) { return "hello from a cached build"; }
