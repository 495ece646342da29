-- 0001: accounts, library, programs, logs, push and audit (postgresql).
CREATE TABLE "clinic" ("id" SERIAL NOT NULL PRIMARY KEY, "name" VARCHAR(200) NOT NULL, "created_at" TIMESTAMP NOT NULL);

CREATE TABLE "user" ("id" SERIAL NOT NULL PRIMARY KEY, "clinic_id" INTEGER NOT NULL, "role" VARCHAR(20) NOT NULL, "email" VARCHAR(320), "password_hash" VARCHAR(300), "display_name" VARCHAR(200) NOT NULL, "locale" VARCHAR(10), "session_version" INTEGER NOT NULL, "is_active" BOOLEAN NOT NULL, "created_at" TIMESTAMP NOT NULL, "last_login_at" TIMESTAMP, FOREIGN KEY ("clinic_id") REFERENCES "clinic" ("id") ON DELETE CASCADE);

CREATE INDEX "user_clinic_id" ON "user" ("clinic_id");

CREATE UNIQUE INDEX "user_email" ON "user" ("email");

CREATE TABLE "patient" ("id" SERIAL NOT NULL PRIMARY KEY, "clinic_id" INTEGER NOT NULL, "therapist_id" INTEGER NOT NULL, "user_id" INTEGER NOT NULL, "display_name" VARCHAR(200) NOT NULL, "email" VARCHAR(320), "timezone" VARCHAR(64) NOT NULL, "created_at" TIMESTAMP NOT NULL, "archived_at" TIMESTAMP, FOREIGN KEY ("clinic_id") REFERENCES "clinic" ("id") ON DELETE CASCADE, FOREIGN KEY ("therapist_id") REFERENCES "user" ("id") ON DELETE RESTRICT, FOREIGN KEY ("user_id") REFERENCES "user" ("id") ON DELETE CASCADE);

CREATE INDEX "patient_clinic_id" ON "patient" ("clinic_id");

CREATE INDEX "patient_therapist_id" ON "patient" ("therapist_id");

CREATE UNIQUE INDEX "patient_user_id" ON "patient" ("user_id");

CREATE TABLE "invite" ("id" SERIAL NOT NULL PRIMARY KEY, "patient_id" INTEGER NOT NULL, "token_hash" VARCHAR(64) NOT NULL, "created_by_id" INTEGER, "created_at" TIMESTAMP NOT NULL, "expires_at" TIMESTAMP NOT NULL, "used_at" TIMESTAMP, "revoked_at" TIMESTAMP, FOREIGN KEY ("patient_id") REFERENCES "patient" ("id") ON DELETE CASCADE, FOREIGN KEY ("created_by_id") REFERENCES "user" ("id") ON DELETE SET NULL);

CREATE INDEX "invite_patient_id" ON "invite" ("patient_id");

CREATE UNIQUE INDEX "invite_token_hash" ON "invite" ("token_hash");

CREATE INDEX "invite_created_by_id" ON "invite" ("created_by_id");

CREATE TABLE "exercise" ("id" SERIAL NOT NULL PRIMARY KEY, "clinic_id" INTEGER, "slug" VARCHAR(120) NOT NULL, "name" VARCHAR(200) NOT NULL, "phase" VARCHAR(20) NOT NULL, "category" VARCHAR(40) NOT NULL, "regions" TEXT NOT NULL, "equipment" TEXT NOT NULL, "summary" TEXT NOT NULL, "steps" TEXT NOT NULL, "cues" TEXT NOT NULL, "safety" TEXT NOT NULL, "default_dose" TEXT NOT NULL, "media" VARCHAR(200), "translations" TEXT NOT NULL, "is_active" BOOLEAN NOT NULL, FOREIGN KEY ("clinic_id") REFERENCES "clinic" ("id") ON DELETE CASCADE);

CREATE INDEX "exercise_clinic_id" ON "exercise" ("clinic_id");

CREATE UNIQUE INDEX "exercise_clinic_id_slug" ON "exercise" ("clinic_id", "slug");

CREATE TABLE "education_card" ("id" SERIAL NOT NULL PRIMARY KEY, "slug" VARCHAR(120) NOT NULL, "title" VARCHAR(200) NOT NULL, "summary" TEXT NOT NULL, "body" TEXT NOT NULL, "reading_minutes" INTEGER NOT NULL, "phase" VARCHAR(20) NOT NULL, "position" INTEGER NOT NULL, "translations" TEXT NOT NULL);

CREATE UNIQUE INDEX "education_card_slug" ON "education_card" ("slug");

CREATE TABLE "program" ("id" SERIAL NOT NULL PRIMARY KEY, "patient_id" INTEGER NOT NULL, "created_at" TIMESTAMP NOT NULL, FOREIGN KEY ("patient_id") REFERENCES "patient" ("id") ON DELETE CASCADE);

CREATE UNIQUE INDEX "program_patient_id" ON "program" ("patient_id");

CREATE TABLE "program_version" ("id" SERIAL NOT NULL PRIMARY KEY, "program_id" INTEGER NOT NULL, "number" INTEGER NOT NULL, "phase" VARCHAR(20) NOT NULL, "notes" TEXT NOT NULL, "created_by_id" INTEGER, "created_at" TIMESTAMP NOT NULL, FOREIGN KEY ("program_id") REFERENCES "program" ("id") ON DELETE CASCADE, FOREIGN KEY ("created_by_id") REFERENCES "user" ("id") ON DELETE SET NULL);

CREATE INDEX "program_version_program_id" ON "program_version" ("program_id");

CREATE INDEX "program_version_created_by_id" ON "program_version" ("created_by_id");

CREATE UNIQUE INDEX "program_version_program_id_number" ON "program_version" ("program_id", "number");

CREATE TABLE "prescription" ("id" SERIAL NOT NULL PRIMARY KEY, "version_id" INTEGER NOT NULL, "exercise_id" INTEGER NOT NULL, "position" INTEGER NOT NULL, "sets" INTEGER NOT NULL, "reps" INTEGER NOT NULL, "hold_seconds" INTEGER NOT NULL, "rest_seconds" INTEGER NOT NULL, "side" VARCHAR(12) NOT NULL, "load" VARCHAR(100), "frequency_per_day" INTEGER NOT NULL, "days_of_week" TEXT NOT NULL, "pain_ceiling" INTEGER NOT NULL, "notes" TEXT NOT NULL, FOREIGN KEY ("version_id") REFERENCES "program_version" ("id") ON DELETE CASCADE, FOREIGN KEY ("exercise_id") REFERENCES "exercise" ("id") ON DELETE RESTRICT);

CREATE INDEX "prescription_version_id" ON "prescription" ("version_id");

CREATE INDEX "prescription_exercise_id" ON "prescription" ("exercise_id");

CREATE TABLE "completion" ("id" VARCHAR(36) NOT NULL PRIMARY KEY, "patient_id" INTEGER NOT NULL, "prescription_id" INTEGER NOT NULL, "performed_at" TIMESTAMP NOT NULL, "local_date" DATE NOT NULL, "sets_done" INTEGER NOT NULL, "reps_done" INTEGER NOT NULL, "pain_during" SMALLINT NOT NULL, "pain_after" SMALLINT NOT NULL, "effort" SMALLINT NOT NULL, "note" TEXT NOT NULL, "recorded_at" TIMESTAMP NOT NULL, "request_hash" VARCHAR(64) NOT NULL, "supersedes_id" VARCHAR(36), "superseded_at" TIMESTAMP, FOREIGN KEY ("patient_id") REFERENCES "patient" ("id") ON DELETE CASCADE, FOREIGN KEY ("prescription_id") REFERENCES "prescription" ("id") ON DELETE CASCADE, FOREIGN KEY ("supersedes_id") REFERENCES "completion" ("id") ON DELETE SET NULL);

CREATE INDEX "completion_patient_id" ON "completion" ("patient_id");

CREATE INDEX "completion_prescription_id" ON "completion" ("prescription_id");

CREATE INDEX "completion_supersedes_id" ON "completion" ("supersedes_id");

CREATE INDEX "completion_patient_id_local_date" ON "completion" ("patient_id", "local_date");

CREATE TABLE "check_in" ("id" VARCHAR(36) NOT NULL PRIMARY KEY, "patient_id" INTEGER NOT NULL, "date" DATE NOT NULL, "morning_pain" SMALLINT NOT NULL, "settled" VARCHAR(10) NOT NULL, "distal_symptom" VARCHAR(20) NOT NULL, "new_numbness_or_weakness" BOOLEAN NOT NULL, "red_flag_change" BOOLEAN NOT NULL, "recorded_at" TIMESTAMP NOT NULL, "request_hash" VARCHAR(64) NOT NULL, FOREIGN KEY ("patient_id") REFERENCES "patient" ("id") ON DELETE CASCADE);

CREATE INDEX "check_in_patient_id" ON "check_in" ("patient_id");

CREATE UNIQUE INDEX "check_in_patient_id_date" ON "check_in" ("patient_id", "date");

CREATE TABLE "push_subscription" ("id" SERIAL NOT NULL PRIMARY KEY, "patient_id" INTEGER NOT NULL, "endpoint" TEXT NOT NULL, "p256dh" VARCHAR(200) NOT NULL, "auth" VARCHAR(100) NOT NULL, "user_agent" VARCHAR(300) NOT NULL, "created_at" TIMESTAMP NOT NULL, "last_success_at" TIMESTAMP, FOREIGN KEY ("patient_id") REFERENCES "patient" ("id") ON DELETE CASCADE);

CREATE INDEX "push_subscription_patient_id" ON "push_subscription" ("patient_id");

CREATE UNIQUE INDEX "push_subscription_endpoint" ON "push_subscription" ("endpoint");

CREATE TABLE "reminder_schedule" ("id" SERIAL NOT NULL PRIMARY KEY, "patient_id" INTEGER NOT NULL, "enabled" BOOLEAN NOT NULL, "times" TEXT NOT NULL, "days" TEXT NOT NULL, "quiet_start" VARCHAR(5), "quiet_end" VARCHAR(5), "updated_at" TIMESTAMP NOT NULL, FOREIGN KEY ("patient_id") REFERENCES "patient" ("id") ON DELETE CASCADE);

CREATE UNIQUE INDEX "reminder_schedule_patient_id" ON "reminder_schedule" ("patient_id");

CREATE TABLE "reminder_delivery" ("id" SERIAL NOT NULL PRIMARY KEY, "key" VARCHAR(200) NOT NULL, "schedule_id" INTEGER NOT NULL, "subscription_id" INTEGER, "local_date" DATE NOT NULL, "slot" VARCHAR(5) NOT NULL, "due_at" TIMESTAMP NOT NULL, "status" VARCHAR(12) NOT NULL, "attempts" INTEGER NOT NULL, "next_attempt_at" TIMESTAMP, "claimed_by" VARCHAR(100), "claimed_at" TIMESTAMP, "last_status" INTEGER, "last_error" TEXT, FOREIGN KEY ("schedule_id") REFERENCES "reminder_schedule" ("id") ON DELETE CASCADE, FOREIGN KEY ("subscription_id") REFERENCES "push_subscription" ("id") ON DELETE SET NULL);

CREATE UNIQUE INDEX "reminder_delivery_key" ON "reminder_delivery" ("key");

CREATE INDEX "reminder_delivery_schedule_id" ON "reminder_delivery" ("schedule_id");

CREATE INDEX "reminder_delivery_subscription_id" ON "reminder_delivery" ("subscription_id");

CREATE INDEX "reminder_delivery_status" ON "reminder_delivery" ("status");

CREATE INDEX "reminder_delivery_next_attempt_at" ON "reminder_delivery" ("next_attempt_at");

CREATE TABLE "delivery_attempt" ("id" SERIAL NOT NULL PRIMARY KEY, "delivery_id" INTEGER NOT NULL, "at" TIMESTAMP NOT NULL, "status_code" INTEGER, "outcome" VARCHAR(12) NOT NULL, "detail" TEXT NOT NULL, "duration_ms" INTEGER NOT NULL, FOREIGN KEY ("delivery_id") REFERENCES "reminder_delivery" ("id") ON DELETE CASCADE);

CREATE INDEX "delivery_attempt_delivery_id" ON "delivery_attempt" ("delivery_id");

CREATE TABLE "audit_event" ("id" SERIAL NOT NULL PRIMARY KEY, "at" TIMESTAMP NOT NULL, "actor_id" INTEGER, "patient_id" INTEGER, "action" VARCHAR(60) NOT NULL, "detail" TEXT NOT NULL, "ip" VARCHAR(45), FOREIGN KEY ("actor_id") REFERENCES "user" ("id") ON DELETE SET NULL, FOREIGN KEY ("patient_id") REFERENCES "patient" ("id") ON DELETE SET NULL);

CREATE INDEX "audit_event_at" ON "audit_event" ("at");

CREATE INDEX "audit_event_actor_id" ON "audit_event" ("actor_id");

CREATE INDEX "audit_event_patient_id" ON "audit_event" ("patient_id");

