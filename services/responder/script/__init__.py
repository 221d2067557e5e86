"""Reply scripts as data: YAML per language, validated at load."""

from services.responder.script.loader import (
    DEFAULT_SCRIPTS_DIR,
    ScriptError,
    ScriptLibrary,
    load_scripts,
    parse_script_file,
)
from services.responder.script.model import (
    ASPECTS,
    COMPUTED_MOVES,
    MOVES,
    REQUIRED_MOVES,
    SLOTS,
    LanguageFile,
    MoveSpec,
    ProblemCopy,
    ScriptSpec,
)

__all__ = [
    "ASPECTS",
    "COMPUTED_MOVES",
    "DEFAULT_SCRIPTS_DIR",
    "MOVES",
    "REQUIRED_MOVES",
    "SLOTS",
    "LanguageFile",
    "MoveSpec",
    "ProblemCopy",
    "ScriptError",
    "ScriptLibrary",
    "ScriptSpec",
    "load_scripts",
    "parse_script_file",
]
