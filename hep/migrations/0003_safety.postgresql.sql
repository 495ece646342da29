-- 0003: check-ins say where the pain is and whether weakness is worse; loads as weights;
-- stored alerts with their lifecycle, staff browsers to notify, and the notices sent (postgresql).
ALTER TABLE "check_in" ADD COLUMN "back_pain" SMALLINT;

ALTER TABLE "check_in" ADD COLUMN "leg_pain" SMALLINT;

ALTER TABLE "check_in" ADD COLUMN "weakness_worse" BOOLEAN NOT NULL DEFAULT false;

ALTER TABLE "prescription" ADD COLUMN "load_value" DOUBLE PRECISION;

ALTER TABLE "prescription" ADD COLUMN "load_unit" VARCHAR(2);

CREATE TABLE "alert" ("id" SERIAL NOT NULL PRIMARY KEY, "patient_id" INTEGER NOT NULL, "key" VARCHAR(80) NOT NULL, "code" VARCHAR(40) NOT NULL, "level" VARCHAR(12) NOT NULL, "prescription_id" INTEGER, "detail" TEXT NOT NULL, "evidence" TEXT NOT NULL, "created_at" TIMESTAMP NOT NULL, "status" VARCHAR(12) NOT NULL, "acknowledged_by_id" INTEGER, "acknowledged_at" TIMESTAMP, "acknowledge_note" TEXT NOT NULL, "resolved_by_id" INTEGER, "resolved_at" TIMESTAMP, "resolve_note" TEXT NOT NULL, "outcome" VARCHAR(20), FOREIGN KEY ("patient_id") REFERENCES "patient" ("id") ON DELETE CASCADE, FOREIGN KEY ("prescription_id") REFERENCES "prescription" ("id") ON DELETE SET NULL, FOREIGN KEY ("acknowledged_by_id") REFERENCES "user" ("id") ON DELETE SET NULL, FOREIGN KEY ("resolved_by_id") REFERENCES "user" ("id") ON DELETE SET NULL);

CREATE INDEX "alert_patient_id" ON "alert" ("patient_id");

CREATE INDEX "alert_prescription_id" ON "alert" ("prescription_id");

CREATE INDEX "alert_status" ON "alert" ("status");

CREATE INDEX "alert_acknowledged_by_id" ON "alert" ("acknowledged_by_id");

CREATE INDEX "alert_resolved_by_id" ON "alert" ("resolved_by_id");

CREATE TABLE "staff_push_subscription" ("id" SERIAL NOT NULL PRIMARY KEY, "user_id" INTEGER NOT NULL, "endpoint" TEXT NOT NULL, "p256dh" VARCHAR(200) NOT NULL, "auth" VARCHAR(100) NOT NULL, "user_agent" VARCHAR(300) NOT NULL, "created_at" TIMESTAMP NOT NULL, FOREIGN KEY ("user_id") REFERENCES "user" ("id") ON DELETE CASCADE);

CREATE INDEX "staff_push_subscription_user_id" ON "staff_push_subscription" ("user_id");

CREATE UNIQUE INDEX "staff_push_subscription_endpoint" ON "staff_push_subscription" ("endpoint");

CREATE TABLE "alert_notification" ("id" SERIAL NOT NULL PRIMARY KEY, "key" VARCHAR(300) NOT NULL, "alert_id" INTEGER NOT NULL, "round" SMALLINT NOT NULL, "channel" VARCHAR(8) NOT NULL, "target" VARCHAR(320) NOT NULL, "status" VARCHAR(12) NOT NULL, "attempts" INTEGER NOT NULL, "next_attempt_at" TIMESTAMP, "created_at" TIMESTAMP NOT NULL, "sent_at" TIMESTAMP, "last_error" TEXT, FOREIGN KEY ("alert_id") REFERENCES "alert" ("id") ON DELETE CASCADE);

CREATE UNIQUE INDEX "alert_notification_key" ON "alert_notification" ("key");

CREATE INDEX "alert_notification_alert_id" ON "alert_notification" ("alert_id");

CREATE INDEX "alert_notification_status" ON "alert_notification" ("status");

CREATE INDEX "alert_notification_next_attempt_at" ON "alert_notification" ("next_attempt_at");

-- One unresolved alert per patient and finding; resolved ones stay as history.
CREATE UNIQUE INDEX "alert_unresolved_key" ON "alert" ("patient_id", "key") WHERE "status" <> 'resolved';
