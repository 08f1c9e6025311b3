"""What ``bench/web.py`` and ``bench/graphql.py`` share (the scripts put ``bench/`` at the end
of ``sys.path``, after the installed packages, so ``bench/graphql.py`` cannot shadow
graphql-core and ``import support`` finds this package):

- :mod:`support.provisioning`: the bench offices, people and cases; copying them row for row
- :mod:`support.databases`: building the SQLite and PostgreSQL databases, ``--cache DIR``
- :mod:`support.server`: the server under test (:mod:`alur.web.testing`'s one starter)
- :mod:`support.load`: simulated people on the web pages, clients of one endpoint, percentiles
- :mod:`support.plain_inbox`: the plain JSON inbox ``bench/graphql.py`` compares GraphQL with
- :mod:`support.profiling`: the in-process profiles of ``--profile``
"""
