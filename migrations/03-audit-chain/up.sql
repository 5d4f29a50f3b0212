-- Schema 3: the audit trail becomes a hash chain and append-only.
--
-- Each row carries the hash of the row before it and its own hash (SHA-256 over the previous
-- hash and the row's fields; computed in Rust, src/audit_chain.rs). Rows written before this
-- schema are chained once when the database is first opened by a build that knows schema 3.
-- `yihu audit verify` walks the chain and reports the first row altered, inserted or missing.
ALTER TABLE audit ADD COLUMN prev_hash TEXT;
ALTER TABLE audit ADD COLUMN hash TEXT;

-- Nothing changes or removes a sealed row. (Sealing the rows of an older trail is the one
-- update allowed: it only fills in their hashes.)
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit WHEN OLD.hash IS NOT NULL
BEGIN
  SELECT RAISE(ABORT, 'audit.append_only: the audit trail cannot be changed');
END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN
  SELECT RAISE(ABORT, 'audit.append_only: the audit trail cannot be changed');
END;
