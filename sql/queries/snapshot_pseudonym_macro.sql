-- The snapshot's pseudonym of a personal identifier: a keyed SHA-256, so equal identifiers still join and nobody without the key can recompute one.
create or replace temp macro mmlens_pseudonym(value, key) as
    case when value is null then null else 'p_' || left(sha256(key || chr(31) || value), 32) end;
