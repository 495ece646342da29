-- 0013: a clinic's own exercise may carry an uploaded picture and a short video: the stored file names (sqlite).
ALTER TABLE "exercise" ADD COLUMN "image" VARCHAR(64);

ALTER TABLE "exercise" ADD COLUMN "video" VARCHAR(64);
