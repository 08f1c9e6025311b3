"""alur.core — the engine: definitions, validation, durations and calendar, the state
machine, hookspecs and the plugin manager.

Pure Python: nothing here imports web, GraphQL or database code. Plugins import only what
this module exports.
"""

from alur.core.calendar import WorkingCalendar
from alur.core.durations import Duration, TimeUnit
from alur.core.errors import (
    ActionError,
    AlurError,
    DefinitionError,
    DurationError,
    InvalidInput,
    PluginError,
    PluginNotFound,
    Problem,
    SopNotFound,
)
from alur.core.hookspecs import hookimpl
from alur.core.loader import (
    definition_from_mapping,
    load_definition,
    load_package_definitions,
    loads_definition,
)
from alur.core.model import (
    Answer,
    DataAction,
    Gate,
    Institution,
    Official,
    Role,
    SopDefinition,
    SopHeader,
    Step,
    StepKind,
    Unit,
    roles_of,
)
from alur.core.plugins import AlurPlugins, LoadedPlugin, create_plugin_manager
from alur.core.validation import ensure_valid, validate_definition

__all__ = [
    "ActionError",
    "AlurError",
    "AlurPlugins",
    "Answer",
    "DataAction",
    "DefinitionError",
    "Duration",
    "DurationError",
    "Gate",
    "Institution",
    "InvalidInput",
    "LoadedPlugin",
    "Official",
    "PluginError",
    "PluginNotFound",
    "Problem",
    "Role",
    "SopDefinition",
    "SopHeader",
    "SopNotFound",
    "Step",
    "StepKind",
    "TimeUnit",
    "Unit",
    "WorkingCalendar",
    "create_plugin_manager",
    "definition_from_mapping",
    "ensure_valid",
    "hookimpl",
    "load_definition",
    "load_package_definitions",
    "loads_definition",
    "roles_of",
    "validate_definition",
]
