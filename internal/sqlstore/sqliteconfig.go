package sqlstore

import (
	"sync"

	"modernc.org/libc"
	sqlite3 "modernc.org/sqlite/lib"
)

// stmtJournalSpill is how large SQLite lets a statement journal grow in
// memory before it moves it to a temporary file. SQLite's own default is
// 64 KiB; it writes a spilled journal out in one write, and its file
// writes take at most 128 KiB, so this must stay below that. Every
// statement that fires a trigger inside a transaction keeps a journal,
// and once one has spilled, SQLite writes every later statement's pages
// of that transaction to the file, two system calls a page: a bulk import
// of people, whose grants fire the security epoch's trigger, spent about a
// tenth of its CPU there, because its first such statement changed 19
// pages. A statement that changes more than this still spills, so memory
// stays bounded.
const stmtJournalSpill = 120 << 10

// configureSQLite sets SQLite's process-wide options. sqlite3_config takes
// them only before the process's first SQLite connection opens, and the
// driver opens none by itself, so OpenWith runs this first, once per
// process: the setting belongs to the process, as SQLite's own
// configuration does. Were a connection opened before (by another
// package), SQLite refuses with SQLITE_MISUSE and keeps its default, which
// costs speed only, so the refusal is ignored.
var configureSQLite = sync.OnceFunc(func() {
	tls := libc.NewTLS()
	defer tls.Close()
	args := libc.Xmalloc(tls, 8)
	if args == 0 {
		return
	}
	defer libc.Xfree(tls, args)
	sqlite3.Xsqlite3_config(tls, sqlite3.SQLITE_CONFIG_STMTJRNL_SPILL, libc.VaList(args, int32(stmtJournalSpill)))
})
