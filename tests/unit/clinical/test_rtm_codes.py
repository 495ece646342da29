"""The RTM code table: the shipped file loads, a clinic's file is validated field by field,
and a bad file stops the app at start-up."""
from __future__ import annotations

import copy

import pytest
import yaml

from hep import create_app
from hep.clinical.rtm_codes import SHIPPED_PATH, RtmCodesError, load_rtm_codes, parse_rtm_codes
from hep.config import ConfigError

SHIPPED = yaml.safe_load(SHIPPED_PATH.read_text(encoding="utf-8"))


def test_shipped_table_has_the_2026_codes_and_sources():
    codes = load_rtm_codes()
    assert codes.setup_code == "98975" and codes.period_days == 30
    assert [(b.code, b.low, b.high) for b in codes.day_bands] == [("98985", 2, 15), ("98977", 16, 30)]
    assert [(b.code, b.low, b.high) for b in codes.minute_bands] == [("98979", 10, 19), ("98980", 20, None)]
    assert (codes.add_on.code, codes.add_on.base, codes.add_on.each_minutes) == ("98981", "98980", 20)
    assert codes.interactive_contact_required is True
    assert codes.sources and codes.verified and codes.clinic_must_check


@pytest.mark.parametrize("days, code", [(0, None), (1, None), (2, "98985"), (15, "98985"),
                                        (16, "98977"), (30, "98977")])
def test_day_bands_are_either_or(days, code):
    band = load_rtm_codes().day_band(days)
    assert (band.code if band else None) == code


def _broken(change):
    document = copy.deepcopy(SHIPPED)
    change(document)
    return document


@pytest.mark.parametrize("change, field", [
    (lambda d: d["device_supply"]["bands"][0].update(max_days=16), "device_supply.bands"),
    (lambda d: d["device_supply"]["bands"][1].update(code=98977), "device_supply.bands.1.code"),
    (lambda d: d["device_supply"].update(period_days=0), "device_supply.period_days"),
    (lambda d: d["management"]["bands"][0].update(max_minutes=25), "management.bands"),
    (lambda d: d["management"]["add_on"].update(base="99999"), "management.add_on.base"),
    (lambda d: d["management"].update(interactive_contact_required="yes"),
     "management.interactive_contact_required"),
    (lambda d: d.pop("sources"), "sources"),
    (lambda d: d["setup"].pop("code"), "setup.code"),
])
def test_a_bad_table_names_the_field(change, field):
    with pytest.raises(RtmCodesError) as caught:
        parse_rtm_codes(_broken(change), "clinic.yaml")
    assert field in caught.value.errors and "clinic.yaml" in str(caught.value)


def test_a_clinic_file_replaces_the_table_and_a_bad_one_stops_start_up(tmp_path):
    own = _broken(lambda d: d.update(version="clinic-2026"))
    path = tmp_path / "rtm.yaml"
    path.write_text(yaml.safe_dump(own), encoding="utf-8")
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path / "i"),
                      "DATABASE_URL": "sqlite://", "RTM_CODES_PATH": str(path)})
    assert app.config["RTM_CODES"].version == "clinic-2026"
    path.write_text("device_supply: [", encoding="utf-8")
    with pytest.raises(ConfigError, match="Not valid YAML"):
        create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path / "i"),
                    "DATABASE_URL": "sqlite://", "RTM_CODES_PATH": str(path)})
    with pytest.raises(ConfigError, match="RTM_PERIOD_START"):
        create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path / "i"),
                    "DATABASE_URL": "sqlite://", "RTM_PERIOD_START": "monday"})
