-- 0002: per-patient clinical settings, assessments, fear hierarchy, questionnaires (postgresql).
ALTER TABLE "patient" ADD COLUMN "clinical_settings" TEXT NOT NULL DEFAULT '{}';

CREATE TABLE "assessment" ("id" SERIAL NOT NULL PRIMARY KEY, "patient_id" INTEGER NOT NULL, "kind" VARCHAR(20) NOT NULL, "assessed_on" DATE NOT NULL, "data" TEXT NOT NULL, "created_by_id" INTEGER, "created_at" TIMESTAMP NOT NULL, FOREIGN KEY ("patient_id") REFERENCES "patient" ("id") ON DELETE CASCADE, FOREIGN KEY ("created_by_id") REFERENCES "user" ("id") ON DELETE SET NULL);

CREATE INDEX "assessment_patient_id" ON "assessment" ("patient_id");

CREATE INDEX "assessment_created_by_id" ON "assessment" ("created_by_id");

CREATE TABLE "hierarchy_item" ("id" SERIAL NOT NULL PRIMARY KEY, "patient_id" INTEGER NOT NULL, "activity" VARCHAR(200) NOT NULL, "harm_rating" SMALLINT NOT NULL, "created_at" TIMESTAMP NOT NULL, "archived_at" TIMESTAMP, FOREIGN KEY ("patient_id") REFERENCES "patient" ("id") ON DELETE CASCADE);

CREATE INDEX "hierarchy_item_patient_id" ON "hierarchy_item" ("patient_id");

CREATE TABLE "exposure_session" ("id" VARCHAR(36) NOT NULL PRIMARY KEY, "item_id" INTEGER NOT NULL, "performed_at" TIMESTAMP NOT NULL, "fear_before" SMALLINT NOT NULL, "fear_after" SMALLINT NOT NULL, "note" TEXT NOT NULL, "request_hash" VARCHAR(64) NOT NULL, "recorded_at" TIMESTAMP NOT NULL, FOREIGN KEY ("item_id") REFERENCES "hierarchy_item" ("id") ON DELETE CASCADE);

CREATE INDEX "exposure_session_item_id" ON "exposure_session" ("item_id");

CREATE TABLE "questionnaire_response" ("id" VARCHAR(36) NOT NULL PRIMARY KEY, "patient_id" INTEGER NOT NULL, "instrument" VARCHAR(40) NOT NULL, "answers" TEXT NOT NULL, "items" TEXT, "score" TEXT NOT NULL, "request_hash" VARCHAR(64) NOT NULL, "recorded_at" TIMESTAMP NOT NULL, FOREIGN KEY ("patient_id") REFERENCES "patient" ("id") ON DELETE CASCADE);

CREATE INDEX "questionnaire_response_patient_id" ON "questionnaire_response" ("patient_id");

