"""One table of dose limits (``hep.clinical.limits``): the API schema, the engine's Dose and
the library catalog all accept exactly its range."""
from __future__ import annotations

import pytest
from marshmallow import ValidationError, validate

from hep.clinical import Dose
from hep.clinical.limits import DOSE_LIMITS
from hep.library import catalog
from hep.schemas.programs import PrescriptionIn


@pytest.mark.parametrize("name", sorted(DOSE_LIMITS))
def test_the_api_schema_reads_the_table(name):
    field = PrescriptionIn().fields[name]
    (rng,) = [v for v in field.validators if isinstance(v, validate.Range)]
    assert (rng.min, rng.max) == DOSE_LIMITS[name]
    low, high = DOSE_LIMITS[name]
    for value in (low, high):
        assert PrescriptionIn().load({"exercise_id": 1, name: value})[name] == value
    for value in (low - 1, high + 1):
        with pytest.raises(ValidationError) as info:
            PrescriptionIn().load({"exercise_id": 1, name: value})
        assert name in info.value.messages


@pytest.mark.parametrize("name", ["sets", "reps", "hold_seconds", "frequency_per_day"])
def test_the_engine_dose_reads_the_table(name):
    low, high = DOSE_LIMITS[name]
    base = {"sets": 1, "reps": 1, "hold_seconds": 0, "frequency_per_day": 1}
    for value in (low, high):
        assert getattr(Dose(**{**base, name: value}), name) == value
    for value in (low - 1, high + 1):
        with pytest.raises(ValueError, match=name):
            Dose(**{**base, name: value})


def test_the_catalog_reads_the_table():
    assert catalog.DOSE_LIMITS == {k: DOSE_LIMITS[k] for k in catalog.DOSE_KEYS if k in DOSE_LIMITS}
    assert set(catalog.DOSE_LIMITS) == {"sets", "reps", "hold_seconds", "rest_seconds", "frequency_per_day"}
