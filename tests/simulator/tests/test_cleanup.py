"""A simulator started and stopped leaves the temporary directory as it found it: its work directory holds the server
private keys, the API keys and the passwords of the simulated environments."""

from __future__ import annotations

import os
import tempfile

import pytest

from ecesim.testing import Simulator


@pytest.fixture
def temp(tmp_path, monkeypatch):
    """An empty temporary directory of the test's own, the one ``tempfile`` hands out."""
    directory = tmp_path / 'temp'
    directory.mkdir()
    monkeypatch.setattr(tempfile, 'tempdir', str(directory))
    return directory


@pytest.mark.parametrize('in_thread', [True, False], ids=['in-thread', 'subprocess'])
def test_a_simulator_started_and_stopped_leaves_the_temp_dir_as_it_found_it(temp, in_thread):
    simulator = Simulator.start(in_thread=in_thread, plain_http=not in_thread)
    try:
        workdir = simulator.workdir
        assert os.path.dirname(workdir) == str(temp)
        assert os.path.basename(workdir).startswith('ecesim-')
        assert os.path.isfile(os.path.join(workdir, 'simulator.json'))
        assert os.listdir(os.path.join(workdir, 'simulator-certs'))  # the keys and certificates it serves with
    finally:
        simulator.stop()
    assert os.listdir(str(temp)) == []
    simulator.stop()  # a second stop is harmless


def test_a_simulator_that_fails_to_start_removes_the_directory_it_created(temp):
    with pytest.raises(Exception):
        Simulator.start(scenario={'environments': 'not a list'})
    assert os.listdir(str(temp)) == []


def test_a_work_directory_given_by_the_caller_is_left_in_place(temp, tmp_path):
    given = tmp_path / 'mine'
    given.mkdir()
    simulator = Simulator.start(workdir=str(given))
    simulator.stop()
    assert os.path.isfile(str(given / 'simulator.json'))
    assert os.listdir(str(temp)) == []
