-- pam_totp: the PostgreSQL store, schema version 1. See README.md ("A fleet").
--
-- Create it with `totp-enroll --init-db` (as the role that is to own the
-- tables), or by hand: psql -v ON_ERROR_STOP=1 -f pam_totp.sql. Applying it
-- again changes nothing. Then grant the role the PAM module logs in as no
-- more than it needs:
--   GRANT SELECT ON pam_totp_schema TO pam_totp;
--   GRANT SELECT, UPDATE ON pam_totp_records TO pam_totp;
-- and, for enrolment at first login (enroll=prompt), INSERT on pam_totp_records.
BEGIN;

-- One row: the version of this schema. pam_totp refuses a database whose
-- version it does not know, so a later schema can be migrated in place.
CREATE TABLE IF NOT EXISTS pam_totp_schema (
    version integer NOT NULL
);
INSERT INTO pam_totp_schema (version)
    SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM pam_totp_schema);

-- One row per enrolled user. `record` is the enrolment part in the text
-- format of pam_totp(5), parsed by the same code as a record file (its two
-- state lines always hold the initial state); the columns after it are the
-- live state a login reads and writes, under a row lock
-- (SELECT ... FOR UPDATE, verify, UPDATE, COMMIT).
CREATE TABLE IF NOT EXISTS pam_totp_records (
    user_name    text PRIMARY KEY,
    record       text NOT NULL,
    seq          bigint NOT NULL DEFAULT 0 CHECK (seq >= 0),
    last_step    bigint NOT NULL DEFAULT -1 CHECK (last_step >= -1),
    skew         integer NOT NULL DEFAULT 0,
    failures     integer NOT NULL DEFAULT 0 CHECK (failures >= 0),
    locked_until bigint NOT NULL DEFAULT 0 CHECK (locked_until >= 0),
    resync_step  bigint NOT NULL DEFAULT -1 CHECK (resync_step >= -1),
    updated      timestamptz NOT NULL DEFAULT now()
);

COMMIT;
