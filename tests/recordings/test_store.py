import pytest

from recordings import LocalDirStore, RecordingError, RecordingNotFoundError, RecordingStore


def test_local_dir_store_basics(tmp_path):
    store = LocalDirStore(tmp_path / "rec")
    assert isinstance(store, RecordingStore)
    store.put("h/a/x.bin", b"hello")
    store.put("h/a/x.bin", b"hello world")
    store.append("h/b/log", b"1\n")
    store.append("h/b/log", b"2\n")
    assert store.get("h/a/x.bin") == b"hello world"
    assert store.get_range("h/a/x.bin", 6, 100) == b"world"
    assert store.size("h/a/x.bin") == 11
    assert store.get("h/b/log") == b"1\n2\n"
    assert store.list("h/") == ["h/a/x.bin", "h/b/log"]
    assert store.list("h/a") == ["h/a/x.bin"]
    store.delete("h/a/x.bin")
    store.delete("h/a/x.bin")
    assert not store.exists("h/a/x.bin")
    assert not (tmp_path / "rec" / "h" / "a").exists()
    with pytest.raises(RecordingNotFoundError):
        store.get("h/a/x.bin")


@pytest.mark.parametrize("key", ["", "/abs", "a/../b", "a//b", "./a"])
def test_bad_keys_are_refused(tmp_path, key):
    with pytest.raises(RecordingError):
        LocalDirStore(tmp_path).put(key, b"")
