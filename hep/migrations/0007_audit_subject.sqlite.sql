-- 0007: an erased patient's audit events keep a pseudonym instead of the patient (sqlite).
ALTER TABLE "audit_event" ADD COLUMN "subject" VARCHAR(40);

ALTER TABLE "audit_event" ADD COLUMN "actor_subject" VARCHAR(40);

-- A patient's trail is read newest first, a page at a time.
CREATE INDEX "audit_event_patient_id_id" ON "audit_event" ("patient_id", "id");
