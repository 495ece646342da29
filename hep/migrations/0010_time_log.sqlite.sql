-- 0010: the therapist's remote-monitoring time log, minutes per patient and day (sqlite).
CREATE TABLE "time_log_entry" ("id" INTEGER NOT NULL PRIMARY KEY, "patient_id" INTEGER NOT NULL, "therapist_id" INTEGER, "worked_on" DATE NOT NULL, "minutes" INTEGER NOT NULL CHECK ("minutes" BETWEEN 1 AND 240), "note" TEXT NOT NULL, "interactive_contact" INTEGER NOT NULL, "created_at" DATETIME NOT NULL, FOREIGN KEY ("patient_id") REFERENCES "patient" ("id") ON DELETE CASCADE, FOREIGN KEY ("therapist_id") REFERENCES "user" ("id") ON DELETE SET NULL);

CREATE INDEX "time_log_entry_patient_id_worked_on" ON "time_log_entry" ("patient_id", "worked_on");

CREATE INDEX "time_log_entry_therapist_id" ON "time_log_entry" ("therapist_id");
