"""Write xmodal_sd/cli_help.json: every `xsd_*` command's `--help` text, as its parser prints it (see nbs/13_cli.ipynb,
which checks the file against the parsers). Run after changing a command's arguments or docstring.

    python tools/make_cli_help.py
"""
import json, sys
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))   # run from a checkout without installing
from xmodal_sd.cli import ENTRY, HELP_FILE, help_text

HELP_FILE.write_text(json.dumps({name: help_text(name) for name in ENTRY}, indent=1) + '\n')
print(f"wrote {HELP_FILE}")
