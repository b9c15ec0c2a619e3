// The RDS fake's storage engine: the system libsqlite3, with the session
// extension (changesets) that replicates committed transactions to standbys.
#define SQLITE_ENABLE_SESSION 1
#define SQLITE_ENABLE_PREUPDATE_HOOK 1
#include <sqlite3.h>
