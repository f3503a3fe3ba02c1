from __future__ import annotations

import json

from curator import preferences


def test_defaults_get_a_stable_client_identifier(tmp_path):
    first = preferences.load(tmp_path)
    assert first.client_identifier
    assert preferences.load(tmp_path).client_identifier == first.client_identifier


def test_round_trip_keeps_tuples_and_values(tmp_path):
    prefs = preferences.load(tmp_path).with_changes(server_url="http://10.0.0.2:32400",
                                                    summary_languages=("nl", "en"), threshold=0.9)
    preferences.save(tmp_path, prefs)
    again = preferences.load(tmp_path)
    assert again == prefs


def test_unreadable_file_falls_back_to_defaults(tmp_path):
    (tmp_path / preferences.FILE_NAME).write_text("{not json", encoding="utf-8")
    prefs = preferences.load(tmp_path)
    assert prefs.server_url == ""
    assert json.loads((tmp_path / preferences.FILE_NAME).read_text())["client_identifier"] == prefs.client_identifier


def test_unknown_keys_are_ignored(tmp_path):
    (tmp_path / preferences.FILE_NAME).write_text(json.dumps({"server_url": "http://x", "bogus": 1}))
    assert preferences.load(tmp_path).server_url == "http://x"


def test_no_secret_field_exists():
    names = {f for f in preferences.Preferences.__dataclass_fields__}
    assert not any("token" in n or "key" in n or "secret" in n for n in names)
