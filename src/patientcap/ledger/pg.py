"""PostgreSQL's half of the posting path: one server-side function posts one entry.

`ledger_post` does in one round trip what `posting.py` does statement by statement on SQLite:

1. lock the entry's balance rows one by one in account-id order (the caller sorts the postings;
   a fixed order, so concurrent writers never deadlock on them) and check each
   must-not-go-negative account: it must stay ≥ 0, and money
   may leave it only on or after its latest entry date (`domain.ledger.Balances.refusal`, the
   same rule); a refusal returns the account's state and writes nothing (unless the key is
   taken: a replay gets the original whatever the balances are now);
2. insert the entry, `ON CONFLICT (book, idempotency_key) DO NOTHING`: a taken key returns the
   stored entry's id and content hash and writes nothing (the caller tells replay from conflict);
3. move the balances, insert the postings and append the audit entry (`audit_append`, whose
   arguments the caller prepared: `audit.services.pg_append_params`) with the new entry's id.

Called outside a transaction it is a transaction of its own: one round trip, and the audit lane
is held only from the append to the end of the commit.

Balances are locked before the entry gets its id, so entries that share an account get ids in
the order they commit. The domain has already checked the entry's shape and balance; the
`ledger_balance_floor` CHECK constraint backs step 1 inside the database.
"""

from typing import Any

LEDGER_POST = """
CREATE OR REPLACE FUNCTION ledger_post(
    p_book text, p_date date, p_memo text, p_key text, p_hash text, p_reversal_of bigint,
    p_source text, p_actor bigint, p_recorded_at timestamptz,
    p_accounts bigint[], p_sides text[], p_amounts bigint[], p_deltas bigint[],
    p_lanes integer, p_prefix text, p_suffix text, p_actor_name text, p_organisation_id bigint,
    p_action text, p_object_type text, p_before_json text, p_after_json text,
    OUT status text, OUT entry_id bigint, OUT content_hash text,
    OUT account_id bigint, OUT balance bigint, OUT last_date date
) LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    i integer;
    v_balance bigint;
    v_floor boolean;
    v_last date;
    v_id bigint;
BEGIN
    -- Lock each balance row in the order given: the caller sorts the postings by account id,
    -- one fixed order for every writer, so concurrent writers cannot deadlock on them.
    FOR i IN 1 .. cardinality(p_accounts) LOOP
        SELECT b.balance, b.floor, b.last_date INTO v_balance, v_floor, v_last
          FROM ledger_balance b WHERE b.account_id = p_accounts[i] FOR UPDATE;
        IF NOT FOUND THEN
            status := 'missing';
            EXIT;
        END IF;
        IF v_floor AND (v_balance + p_deltas[i] < 0
                        OR (p_deltas[i] < 0 AND v_last IS NOT NULL AND p_date < v_last)) THEN
            status := 'refused'; account_id := p_accounts[i]; balance := v_balance;
            last_date := v_last;
            EXIT;
        END IF;
    END LOOP;
    IF status IS NOT NULL THEN
        -- A replay is answered with the original even when the books have moved on since.
        SELECT e.id, e.content_hash INTO v_id, content_hash
          FROM ledger_entry e WHERE e.book = p_book AND e.idempotency_key = p_key;
        IF v_id IS NOT NULL THEN
            status := 'taken'; entry_id := v_id;
        END IF;
        RETURN;
    END IF;

    INSERT INTO ledger_entry (book, date, memo, idempotency_key, content_hash, reversal_of_id,
                              source, actor_id, recorded_at)
    VALUES (p_book, p_date, p_memo, p_key, p_hash, p_reversal_of, p_source, p_actor,
            p_recorded_at)
    ON CONFLICT (book, idempotency_key) DO NOTHING
    RETURNING id INTO v_id;
    IF v_id IS NULL THEN
        status := 'taken';
        SELECT e.id, e.content_hash INTO entry_id, content_hash
          FROM ledger_entry e WHERE e.book = p_book AND e.idempotency_key = p_key;
        RETURN;
    END IF;

    FOR i IN 1 .. cardinality(p_accounts) LOOP
        UPDATE ledger_balance b
           SET balance = b.balance + p_deltas[i], last_date = GREATEST(b.last_date, p_date)
         WHERE b.account_id = p_accounts[i];
    END LOOP;
    INSERT INTO ledger_posting (entry_id, account_id, side, amount, date)
    SELECT v_id, t.a, t.s, t.m, p_date FROM unnest(p_accounts, p_sides, p_amounts) AS t(a, s, m);
    PERFORM audit_append(p_lanes, p_prefix, v_id::text, p_suffix, p_recorded_at, p_actor,
                         p_actor_name, p_organisation_id, p_action, p_object_type, p_before_json,
                         p_after_json);
    status := 'posted';
    entry_id := v_id;
END
$$"""


def install(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(LEDGER_POST, params=None)


def remove(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS ledger_post", params=None)
