-- The request budget of each source token, shared by every process that reads with it.
-- token_key identifies a token without revealing it (source and a hash of the token); label names the
-- scope for people. next_slot: when the token's next request may start; paused_until: set by a 429.
CREATE TABLE IF NOT EXISTS ops.request_gate (
    token_key    text PRIMARY KEY,
    label        text NOT NULL,
    next_slot    timestamptz NOT NULL,
    paused_until timestamptz NOT NULL DEFAULT '-infinity'
);
