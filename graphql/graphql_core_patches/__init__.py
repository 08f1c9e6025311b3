"""Where Alur reaches into graphql-core's executor: ``executor`` (the schema's execution context
class). tests/storage/test_library_patches.py pins the upstream code it overrides and fails, naming the
module, when graphql-core or strawberry changes it."""
