#include <git2.h>
// Custom socket streams (deadline, cancellation and address checks on every connection).
#include <git2/sys/stream.h>
