"""The FHIR export: documented here, served as ``application/fhir+json``."""
from __future__ import annotations

from marshmallow import Schema, fields


class FhirEntryOut(Schema):
    fullUrl = fields.String(metadata={"description": "urn:uuid: stable across exports of the same data"})
    resource = fields.Dict(metadata={"description": "Patient, CarePlan, ServiceRequest, Procedure, Observation "
                                                    "or QuestionnaireResponse (FHIR R4)"})


class FhirBundleOut(Schema):
    resourceType = fields.String(metadata={"description": "Bundle"})
    id = fields.String()
    type = fields.String(metadata={"description": "collection"})
    entry = fields.List(fields.Nested(FhirEntryOut))
