"""A patient's data as a whole: JSON export, erasure (and the FHIR bundle, backup and restore).

``ownership`` finds every row that is a patient's by walking the models' foreign keys, so
the export and the erasure reach tables added later without being told about them.
"""
