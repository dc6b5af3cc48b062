#include "hello.h"

static const int squares[] = {0, 1, 4, 9, 16, 25, 36, 49, 64, 81, 100};

int table_sum(int n) {
  int s = 0;
  for (int i = 0; i <= n && i < (int)(sizeof squares / sizeof squares[0]); i++) s += squares[i];
  return s;
}
