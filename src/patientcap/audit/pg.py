"""PostgreSQL's way of appending to the audit trail: one server-side function, `audit_append`.

It locks the head of this connection's own lane (chosen by its backend process id) unless another
transaction holds it, else the lowest-numbered lane that no one holds (`SKIP LOCKED`), and only
when every lane is busy does it wait, for its own lane; computes the entry's digest and hash
with the formulas of `domain.audit_chain`, moves the head and inserts the entry. The caller sends
the canonical content as text split around the object id (`services.digest_parts`), so the
object id may be one that only the database knows, e.g. the id of a journal entry inserted by the
same statement (`ledger_post` calls this function).
"""

from typing import Any

AUDIT_APPEND = """
CREATE OR REPLACE FUNCTION audit_append(
    p_lanes integer, p_prefix text, p_object_id text, p_suffix text,
    p_at timestamptz, p_actor_id bigint, p_actor_name text, p_organisation_id bigint,
    p_action text, p_object_type text, p_before_json text, p_after_json text,
    OUT o_seq bigint, OUT o_lane integer, OUT o_position bigint, OUT o_prev_hash text,
    OUT o_hash text
) LANGUAGE plpgsql AS $$
DECLARE
    v_digest text;
    v_own integer;
BEGIN
    v_own := mod(pg_backend_pid(), p_lanes) + 1;
    SELECT h.id, h.last_position, h.last_hash INTO o_lane, o_position, o_prev_hash
      FROM audit_auditchainhead h WHERE h.id = v_own FOR UPDATE SKIP LOCKED;
    IF NOT FOUND THEN
        SELECT h.id, h.last_position, h.last_hash INTO o_lane, o_position, o_prev_hash
          FROM audit_auditchainhead h ORDER BY h.id LIMIT 1 FOR UPDATE SKIP LOCKED;
    END IF;
    IF NOT FOUND THEN
        SELECT h.id, h.last_position, h.last_hash INTO o_lane, o_position, o_prev_hash
          FROM audit_auditchainhead h WHERE h.id = v_own FOR UPDATE;
    END IF;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'audit chain head missing: run patientcap audit verify';
    END IF;
    o_position := o_position + 1;
    v_digest := encode(sha256(convert_to(p_prefix || p_object_id || p_suffix, 'UTF8')), 'hex');
    o_hash := encode(sha256(convert_to(
        o_prev_hash || '|' || o_lane::text || '|' || o_position::text || '|' || v_digest,
        'UTF8')), 'hex');
    UPDATE audit_auditchainhead SET last_position = o_position, last_hash = o_hash
     WHERE id = o_lane;
    INSERT INTO audit_auditentry (lane, position, at, actor_id, actor_name, organisation_id,
                                  action, object_type, object_id, before_json, after_json,
                                  prev_hash, hash)
    VALUES (o_lane, o_position, p_at, p_actor_id, p_actor_name, p_organisation_id, p_action,
            p_object_type, p_object_id, p_before_json, p_after_json, o_prev_hash, o_hash)
    RETURNING seq INTO o_seq;
END
$$"""


def install(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(AUDIT_APPEND, params=None)


def remove(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS audit_append", params=None)
