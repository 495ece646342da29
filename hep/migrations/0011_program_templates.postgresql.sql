-- 0011: program templates, shared by the therapists of a clinic; no patient data (postgresql).
CREATE TABLE "program_template" ("id" SERIAL NOT NULL PRIMARY KEY, "clinic_id" INTEGER NOT NULL, "created_by_id" INTEGER, "name" VARCHAR(200) NOT NULL, "phase" VARCHAR(20) NOT NULL, "notes" TEXT NOT NULL, "items" TEXT NOT NULL, "created_at" TIMESTAMP NOT NULL, FOREIGN KEY ("clinic_id") REFERENCES "clinic" ("id") ON DELETE CASCADE, FOREIGN KEY ("created_by_id") REFERENCES "user" ("id") ON DELETE SET NULL);

CREATE INDEX "program_template_clinic_id" ON "program_template" ("clinic_id");

CREATE INDEX "program_template_created_by_id" ON "program_template" ("created_by_id");
