-- 0004: a check-in can be corrected like a completion; the original stays, superseded (sqlite).
ALTER TABLE "check_in" ADD COLUMN "supersedes_id" VARCHAR(36) REFERENCES "check_in" ("id") ON DELETE SET NULL;

ALTER TABLE "check_in" ADD COLUMN "superseded_at" DATETIME;

CREATE INDEX "check_in_supersedes_id" ON "check_in" ("supersedes_id");

-- One current check-in per patient and day; corrected ones stay as history.
DROP INDEX "check_in_patient_id_date";

CREATE UNIQUE INDEX "check_in_patient_id_date" ON "check_in" ("patient_id", "date") WHERE "superseded_at" IS NULL;
