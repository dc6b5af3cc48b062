#include <stdio.h>
#include "hello.h"

int main(void) {
  const char *g = greeting();
  printf("%s (%d words, table %d)\n", g, count_words(g), table_sum(10));
  return 0;
}
