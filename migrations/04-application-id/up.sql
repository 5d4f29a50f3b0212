-- Schema 4: mark the file as a Yihu database in its header (`PRAGMA application_id`, the
-- ASCII bytes "YIHU"), so a restore can refuse a file that is some other program's SQLite
-- database, and tools such as `file` can tell what it is.
PRAGMA application_id = 1497974869;
