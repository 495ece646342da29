"""Patient data out of hep: JSON export, FHIR bundle, erasure, backup and restore."""
