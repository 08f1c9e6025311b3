"""Where Alur reaches into piccolo's internals: ``foreign_key`` (``ForeignKey.__getattribute__``),
``sqlite_engine`` (``SQLiteEngine._run_in_new_connection``) and ``postgres_engine``
(``PostgresTransaction.__aexit__``). tests/storage/test_library_patches.py
pins the upstream code each replaces and fails, naming the module, when piccolo changes it."""
