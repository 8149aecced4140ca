#ifndef CSQLITESETUP_H
#define CSQLITESETUP_H

/// Turns off SQLite's memory statistics for the whole process. With them on (SQLite's default), every
/// allocation and free inside SQLite takes a global mutex to count bytes: about ten lock and unlock pairs
/// for each row ingestion writes. Must run before SQLite initialises (before the first connection opens);
/// returns SQLITE_OK, or SQLITE_MISUSE when it is too late (nothing changes then).
int cdp_sqlite_disable_memory_statistics(void);

/// Whether SQLite currently counts memory (1) or not (0).
int cdp_sqlite_counts_memory(void);

#endif
