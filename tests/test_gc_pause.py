"""The collector is paused while a run loads its libraries and on again however the run ends
(pipeline/gc_pause.py)."""

import gc

import pytest

from pipeline import gc_pause


@pytest.fixture(autouse=True)
def _collector_restored():
    yield
    gc.unfreeze()
    gc.enable()


def test_paused_until_resumed_then_what_was_loaded_is_frozen():
    with gc_pause.paused_while_loading():
        assert not gc.isenabled()
        loaded = [object() for _ in range(10)]  # noqa: F841 - stands for the imports
        gc_pause.resume_after_loading()
        assert gc.isenabled()
        assert gc.get_freeze_count() > 0
    assert gc.isenabled()


def test_on_again_when_the_block_ends_without_resuming():
    with gc_pause.paused_while_loading():
        assert not gc.isenabled()
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0


def test_on_again_when_loading_fails():
    with pytest.raises(RuntimeError), gc_pause.paused_while_loading():
        assert not gc.isenabled()
        raise RuntimeError("the run failed while loading")
    assert gc.isenabled()
