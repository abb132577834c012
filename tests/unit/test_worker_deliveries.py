"""The worker runtime's event deliveries: how many a slot claims at once."""

from __future__ import annotations

from nls_worker.events import CLAIM_GRACE_S, batch_size


def test_a_slot_claims_no_more_deliveries_than_it_surely_posts_before_the_server_takes_them_as_lost():
    for timeout_s in (0.5, 1.0, 5.0, 10.0, 29.0, 30.0, 60.0, 300.0):
        n = batch_size(timeout_s)
        assert 1 <= n <= 50
        assert n == 1 or n * 2 * timeout_s <= CLAIM_GRACE_S, (timeout_s, n)
    assert (batch_size(5.0), batch_size(0.1), batch_size(120.0)) == (6, 50, 1)
