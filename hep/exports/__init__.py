"""Patient data out of hep: JSON export, FHIR bundle, erasure, backup and restore.

``ownership`` finds every row that is a patient's by walking the models' foreign keys, so
the export and the erasure reach tables added later without being told about them.
"""
