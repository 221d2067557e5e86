"""Reply scripts as data: YAML per language, validated at load."""

from .loader import DEFAULT_SCRIPTS_DIR, ScriptError, ScriptLibrary, load_scripts, parse_script_file
from .model import ASPECTS, MOVES, REQUIRED_MOVES, SLOTS, LanguageFile, MoveSpec, ScriptSpec

__all__ = [
    "ASPECTS",
    "DEFAULT_SCRIPTS_DIR",
    "MOVES",
    "REQUIRED_MOVES",
    "SLOTS",
    "LanguageFile",
    "MoveSpec",
    "ScriptError",
    "ScriptLibrary",
    "ScriptSpec",
    "load_scripts",
    "parse_script_file",
]
