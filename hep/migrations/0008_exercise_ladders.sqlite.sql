-- 0008: exercises form progression ladders (family, next easier and harder exercise) and carry tags (sqlite).
ALTER TABLE "exercise" ADD COLUMN "family" VARCHAR(120);

ALTER TABLE "exercise" ADD COLUMN "easier_id" INTEGER REFERENCES "exercise" ("id") ON DELETE SET NULL;

ALTER TABLE "exercise" ADD COLUMN "harder_id" INTEGER REFERENCES "exercise" ("id") ON DELETE SET NULL;

-- Existing rows get no tags; the next `hep db seed` fills them for the shipped library.
ALTER TABLE "exercise" ADD COLUMN "tags" TEXT NOT NULL DEFAULT '{}';

CREATE INDEX "exercise_easier_id" ON "exercise" ("easier_id");

CREATE INDEX "exercise_harder_id" ON "exercise" ("harder_id");
