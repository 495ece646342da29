-- 0012: messages between a patient and their therapist, one thread per patient (sqlite).
-- The id is the phone's client UUID (offline replay) or the server's; read_at is set when the
-- other side opens the thread; notified_at is claimed by the consumer that tells the other side.
CREATE TABLE "message" ("id" VARCHAR(36) NOT NULL PRIMARY KEY, "patient_id" INTEGER NOT NULL, "sender_role" VARCHAR(10) NOT NULL, "author_id" INTEGER, "body" TEXT NOT NULL, "created_at" DATETIME NOT NULL, "read_at" DATETIME, "request_hash" VARCHAR(64) NOT NULL, "notified_at" DATETIME, FOREIGN KEY ("patient_id") REFERENCES "patient" ("id") ON DELETE CASCADE, FOREIGN KEY ("author_id") REFERENCES "user" ("id") ON DELETE SET NULL);

CREATE INDEX "message_patient_id" ON "message" ("patient_id");

CREATE INDEX "message_author_id" ON "message" ("author_id");

CREATE INDEX "message_patient_id_created_at" ON "message" ("patient_id", "created_at");
