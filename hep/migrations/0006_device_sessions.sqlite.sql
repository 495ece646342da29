-- 0006: each sign-in on a browser or phone is a device the therapist can list and sign out;
-- a patient's push subscription belongs to the device that registered it (sqlite).
CREATE TABLE "device_session" ("id" VARCHAR(43) NOT NULL PRIMARY KEY, "user_id" INTEGER NOT NULL, "session_version" INTEGER NOT NULL, "browser" VARCHAR(40), "system" VARCHAR(40), "created_at" DATETIME NOT NULL, "last_seen_at" DATETIME NOT NULL, "revoked_at" DATETIME, FOREIGN KEY ("user_id") REFERENCES "user" ("id") ON DELETE CASCADE);

CREATE INDEX "device_session_user_id" ON "device_session" ("user_id");

ALTER TABLE "push_subscription" ADD COLUMN "device_session_id" VARCHAR(43) REFERENCES "device_session" ("id") ON DELETE SET NULL;

CREATE INDEX "push_subscription_device_session_id" ON "push_subscription" ("device_session_id");
