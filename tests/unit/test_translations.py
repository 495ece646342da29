"""Every user-facing string in the code is in the Spanish catalog, translated."""
from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]


def test_every_message_in_the_code_has_a_spanish_translation():
    with (ROOT / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    found = {message for _file, _line, message, _comments, _context in extract_from_dir(
        ROOT, method_map, options_map, keywords={"_": None, "N_": None, "gettext": None, "ngettext": (1, 2)})}
    ids = {m[0] if isinstance(m, tuple) else m for m in found if m}
    with (ROOT / "hep/translations/es/LC_MESSAGES/messages.po").open("rb") as handle:
        catalog = read_po(handle)
    translated = {m.id for m in catalog if m.id and m.string and not m.fuzzy}
    missing = sorted(ids - translated)
    assert missing == [], f"{len(missing)} messages lack Spanish (run pybabel extract/update): {missing[:10]}"
