-- 0014: self-progression bounds per prescription; versions a patient made carry their client id; questionnaire schedules (postgresql).
ALTER TABLE "prescription" ADD COLUMN "self_progression" TEXT;

ALTER TABLE "program_version" ADD COLUMN "client_id" VARCHAR(36);

ALTER TABLE "program_version" ADD COLUMN "request_hash" VARCHAR(64);

CREATE UNIQUE INDEX "program_version_client_id" ON "program_version" ("client_id");

-- Which outcome measures a patient is asked, every how many days (null: the defaults).
ALTER TABLE "patient" ADD COLUMN "questionnaire_schedule" TEXT;
