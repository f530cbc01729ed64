from engine.platform.storable import storable


def test_storable_text_has_no_nul_and_no_lone_surrogate():
    assert storable("Ordinary text — with “quotes” and é")
    assert not storable("before\x00after")
    assert not storable("half a pair \ud800")
