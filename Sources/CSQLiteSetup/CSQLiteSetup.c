#include "CSQLiteSetup.h"
#include <sqlite3.h>

// sqlite3_config is variadic, which Swift cannot call: hence this file.
int cdp_sqlite_disable_memory_statistics(void) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

int cdp_sqlite_counts_memory(void) {
    // With statistics off, SQLite reports no memory in use and keeps no high-water mark.
    sqlite3_int64 current = 0, highest = 0;
    sqlite3_status64(SQLITE_STATUS_MALLOC_COUNT, &current, &highest, 0);
    return current > 0 || highest > 0;
}
