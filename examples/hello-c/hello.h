#ifndef HELLO_H
#define HELLO_H
const char *greeting(void);
int count_words(const char *s);
int table_sum(int n);
#endif
