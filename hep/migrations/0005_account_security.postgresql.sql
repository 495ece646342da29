-- 0005: account security: a staff user's TOTP second factor and recovery codes (hashed), and
-- single-use password-reset links (only the token's SHA-256 is stored) (postgresql).
CREATE TABLE "second_factor" ("id" SERIAL NOT NULL PRIMARY KEY, "user_id" INTEGER NOT NULL, "secret" VARCHAR(300) NOT NULL, "created_at" TIMESTAMP NOT NULL, "confirmed_at" TIMESTAMP, "last_step" BIGINT, FOREIGN KEY ("user_id") REFERENCES "user" ("id") ON DELETE CASCADE);

CREATE UNIQUE INDEX "second_factor_user_id" ON "second_factor" ("user_id");

CREATE TABLE "recovery_code" ("id" SERIAL NOT NULL PRIMARY KEY, "user_id" INTEGER NOT NULL, "code_hash" VARCHAR(64) NOT NULL, "created_at" TIMESTAMP NOT NULL, "used_at" TIMESTAMP, FOREIGN KEY ("user_id") REFERENCES "user" ("id") ON DELETE CASCADE);

CREATE INDEX "recovery_code_user_id" ON "recovery_code" ("user_id");

CREATE UNIQUE INDEX "recovery_code_user_id_code_hash" ON "recovery_code" ("user_id", "code_hash");

CREATE TABLE "password_reset" ("id" SERIAL NOT NULL PRIMARY KEY, "user_id" INTEGER NOT NULL, "token_hash" VARCHAR(64) NOT NULL, "created_at" TIMESTAMP NOT NULL, "expires_at" TIMESTAMP NOT NULL, "used_at" TIMESTAMP, "revoked_at" TIMESTAMP, FOREIGN KEY ("user_id") REFERENCES "user" ("id") ON DELETE CASCADE);

CREATE INDEX "password_reset_user_id" ON "password_reset" ("user_id");

CREATE UNIQUE INDEX "password_reset_token_hash" ON "password_reset" ("token_hash");
