"""Extract the catalog strings, then fill in translations from a JSON file.

    .venv/bin/python scripts/add-translations.py strings.json

The JSON maps each English msgid to ``{"sv": ..., "ar": ..., "fa_AF": ...}``. Runs
``make locales`` first (so new N_() strings are in the catalogs), then writes the given
translations, then ``make locales`` again as the check. Holds a lock, so two people adding
strings at once do not overwrite each other's catalogs.
"""

import fcntl
import json
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ("sv", "ar", "fa_AF")


def main(path: str) -> int:
    translations = json.loads(Path(path).read_text(encoding="utf-8"))
    with open(ROOT / "locales" / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        subprocess.run(["make", "-s", "locales"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        missing = []
        for language in LANGUAGES:
            po_path = ROOT / "locales" / language / "LC_MESSAGES" / "messages.po"
            with po_path.open("rb") as handle:
                catalog = read_po(handle, locale=language)
            for msgid, texts in translations.items():
                message = catalog.get(msgid)
                if message is None:
                    missing.append(msgid)
                    continue
                message.string = texts[language]
                message.flags.discard("fuzzy")
            with po_path.open("wb") as handle:
                write_po(handle, catalog, sort_output=True, include_previous=False)
        subprocess.run(["make", "-s", "locales"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    for msgid in sorted(set(missing)):
        print(f"not in the catalog (no N_() in the code yet?): {msgid!r}", file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
