-- Hardening of the sign-in (README "Security"): login throttling and temporary locks per account and per address,
-- an optional TOTP second factor, API tokens that expire, sessions an admin can list and end.

-- Consecutive failed logins per key ("user:<name>" — any name, known or not, so a lock tells nothing about who
-- exists — and "ip:<address>"). A success clears the account's row; a lock's length doubles with each lock.
CREATE TABLE login_throttle (
  key           text PRIMARY KEY,
  failures      integer NOT NULL DEFAULT 0,
  locks         integer NOT NULL DEFAULT 0,
  last_failure  timestamptz NOT NULL,
  locked_until  timestamptz
);

-- TOTP (RFC 6238): the secret (base32) once confirmed; `totp_pending` while the user is setting it up. The last
-- accepted time step is kept so a code is good once.
ALTER TABLE users ADD COLUMN totp_secret text;
ALTER TABLE users ADD COLUMN totp_pending text;
ALTER TABLE users ADD COLUMN totp_last_step bigint;
ALTER TABLE users ADD COLUMN password_changed_at timestamptz;

ALTER TABLE api_tokens ADD COLUMN expires_at timestamptz;

-- A session has an id an admin can name (the cookie's value is never stored), and is seen when used.
ALTER TABLE sessions ADD COLUMN id bigserial;
ALTER TABLE sessions ADD COLUMN last_seen_at timestamptz;
ALTER TABLE sessions ADD COLUMN user_agent text;
CREATE UNIQUE INDEX sessions_id_idx ON sessions (id);
-- Tokens made before expiry existed get the default term from their creation.
UPDATE api_tokens SET expires_at = created_at + INTERVAL '180 days' WHERE expires_at IS NULL;
