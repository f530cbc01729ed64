"""Every dashboard figure for one quarter, from cases run through the deployed diagrams,
against a count made by hand from the story below.

The quarter is January to March 2027 (no bank holiday in it), counted on 1 April 2027.

Initial conferences held in the quarter (15 working days; pre-birth counted as initial):
  Ada    strategy 4 Jan, s47 4 Jan, held 18 Jan (due 25 Jan)          on time, on time
  Eve    pre-birth: strategy 11 Jan, s47 11 Jan, held 25 Jan          on time, on time
         (the diagram wanted it by the 28th week, 18 January: the DfE measures 15 days)
  Ben    strategy 1 Feb, s47 1 Feb  } seen together 22 Feb 10:00     on time, on time
  Cal    strategy 1 Feb, s47 27 Jan }   (s47 deadline 17 Feb)        on time, late
  Dan    strategy 1 Mar, s47 1 Mar, held 29 Mar (due 22 Mar), no plan late, late
  strategy clock: by child 4 of 5; by conference (Ada, Eve, Ben+Cal, Dan) 3 of 4
  s47 clock:      by child 3 of 5; by conference 2 of 4 (Ben+Cal late through Cal)
Transfer-in conferences, counted apart, from the previous council's notification:
  Fay    notified 1 Feb, held 15 Feb (due 22 Feb)                     on time
  Gus    notified 8 Feb, held 3 Mar (due 1 Mar)                       late      -> 1 of 2
Reviews due in the quarter (3 months after the ICPC, then 6 after each review):
  Hal    ICPC 5 Oct 2026: due 5 Jan, held 5 Jan                       on time
  Isla   ICPC 2 Nov 2026: due 2 Feb, held 9 Feb                       late
  Jo     ICPC 16 Nov 2026: due 16 Feb, never held                     late
  Lee    ICPC 22 Jun 2026, review 22 Sep 2026: due 22 Mar, held 19 Mar on time
  Kit    ICPC 1 Dec 2026: due 1 Mar, but the plan ended 15 Feb       not due
  Mo     ICPC 21 Sep 2026: due 21 Dec 2026, held 4 Jan 2027           due before the quarter
  -> 2 of 4 (counting only reviews held in the quarter would give 2 of 3)
Children on a plan 3 months or more at 31 March, every review on time:
  Hal yes, Isla no, Jo no, Lee yes, Mo no                             -> 2 of 5
Plans started in the quarter: Ada, Eve, Fay, Ben, Cal, Gus (6). Ben's is a second plan,
within 2 years of his first (4 December 2024 to 3 March 2025); Fay and Gus were on plans in
the councils they moved from: second or later 3 of 6, within 2 years of a plan here 1 of 6.
Nia's enquiry found no conference needed: no figure counts it. Open 9 months or more at
31 March: Lee's (since 22 June 2026), 1; 12, 18, 24 months: 0. Ended in the quarter: Kit's,
after 2.5 months: 0 of 1. Unborn on a plan: Eve, 1.
"""

from datetime import date

from engine.reporting import dashboard, dashboard_summary
from tests.engine.reporting.quarter import QUARTER, TODAY, quarter

HAND_COUNT = {  # key: (met, out of); a plain count has None for "out of"
    "icpc_str_child": (4, 5),
    "icpc_str_conference": (3, 4),
    "icpc_s47_child": (3, 5),
    "icpc_s47_conference": (2, 4),
    "transfer_in_child": (1, 2),
    "transfer_in_conference": (1, 2),
    "reviews_on_time": (2, 4),
    "reviews_child": (2, 5),
    "repeat_ever": (3, 6),
    "repeat_2y": (1, 6),
    "open_9": (1, None),
    "open_12": (0, None),
    "open_18": (0, None),
    "open_24": (0, None),
    "ended_2y": (0, 1),
    "unborn": (1, None),
}


def counted(board) -> dict:
    return {
        f.key: (f.met, f.total if f.percent_of else None)
        for f in board.figures()
        if not f.key.startswith("overdue:")
    }


def test_every_figure_matches_the_hand_count(db, engine, clock):
    quarter(db, engine, clock)
    board = dashboard_summary.build(db, *QUARTER, TODAY)
    assert counted(board) == HAND_COUNT
    assert counted(dashboard.build(db, *QUARTER, TODAY)) == HAND_COUNT
    for key, (met, total) in HAND_COUNT.items():  # each figure's page lists its children
        alone = dashboard.figure(db, key, *QUARTER, TODAY)
        assert alone.definition, key
        if key.endswith("_conference"):  # a conference's children, each a row
            key = key.replace("_conference", "_child")
            met, total = HAND_COUNT[key]
        assert sum(bool(r.met) for r in alone.rows) == met, key
        assert len(alone.rows) in (met, total), key  # the counted ones, or every one
    reviews = dashboard.figure(db, "reviews_on_time", *QUARTER, TODAY)
    assert [(r.child.full_name, r.met) for r in reviews.rows] == [
        ("Hal Reid", True),
        ("Isla Kerr", False),
        ("Jo Finch", False),
        ("Lee Ward", True),
    ]
    assert "not held" in reviews.rows[2].detail
    strategy = dashboard.figure(db, "icpc_str_child", *QUARTER, TODAY)
    assert [r.detail.split(":")[0] for r in strategy.rows if "Pre-birth" in r.detail] == [
        "Pre-birth conference"
    ]
    months = {b.month: (b.met, b.total) for b in board.icpc_months}
    assert [months[date(2027, m, 1)] for m in (1, 2, 3)] == [(2, 2), (2, 2), (0, 1)]
    months = {b.month: (b.met, b.total) for b in board.review_months}
    assert [months[date(2027, m, 1)] for m in (1, 2, 3)] == [(1, 1), (0, 2), (1, 1)]
