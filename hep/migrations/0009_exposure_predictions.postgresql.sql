-- 0009: an exposure session carries the patient's prediction (the feared outcome and its
-- likelihood 0-100), whether the outcome happened and whether a safety behaviour was used (postgresql).
-- Sessions stored before keep NULL here: they are shown as "no prediction recorded" and never
-- count towards mastery, which now reads the predictions.
ALTER TABLE "exposure_session" ADD COLUMN "feared_outcome" TEXT NOT NULL DEFAULT '';

ALTER TABLE "exposure_session" ADD COLUMN "prediction" SMALLINT;

ALTER TABLE "exposure_session" ADD COLUMN "outcome_happened" BOOLEAN;

ALTER TABLE "exposure_session" ADD COLUMN "safety_behaviour" BOOLEAN;
