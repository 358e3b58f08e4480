"""Analytics exports the counters whose labels it knows at zero before their first event."""

from __future__ import annotations

import pytest
from chorus_analytics.known_series import CONSUMER_SOURCES, zero_known
from chorus_analytics.prom_families import Snapshot
from chorus_common.metrics import DEAD_LETTER_CODES

pytestmark = pytest.mark.unit


def test_alerts_and_every_consumers_dead_letters_start_at_zero_with_no_data() -> None:
    s = Snapshot()
    zero_known(s.samples)
    assert s.samples["alerts"] == {
        ("alert.buzz", "raised"): 0,
        ("alert.buzz", "cleared"): 0,
        ("alert.sla", "raised"): 0,
        ("alert.sla", "cleared"): 0,
    }
    assert "router:chorus.posts.v1" in CONSUMER_SOURCES
    assert "analytics:chorus.dlq.v1" in CONSUMER_SOURCES
    assert len(s.samples["dead_letters"]) == len(CONSUMER_SOURCES) * len(DEAD_LETTER_CODES)
    assert set(s.samples["dead_letters"].values()) == {0}
    assert not s.samples.get("case_events"), "no team known yet"


def test_a_known_team_gets_sla_breaches_per_priority_and_reply_steps_at_zero() -> None:
    s = Snapshot()
    s.add("case_events", ("case.opened", "support", "P2"), 3)
    s.add("cases_open", ("legal", "P1"), 1)
    s.add("dead_letters", ("ingest.x", "invalid_shape"), 2)
    zero_known(s.samples)
    events = s.samples["case_events"]
    assert events[("case.opened", "support", "P2")] == 3, "figures are kept"
    for team in ("support", "legal"):
        for prio in ("P1", "P2", "P3", "P4"):
            assert events[("case.sla_breached", team, prio)] == 0
        assert s.samples["replies"][(team, "sent")] == 0
    assert s.samples["dead_letters"][("ingest.x", "invalid_shape")] == 2
