"""pytest set-up: one GeNN build directory per session (compiled models are
cached there by their key), and a clean Brian state around every test."""

import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))

import utils  # noqa: E402


@pytest.fixture(scope="session", autouse=True)
def genn_directory(tmp_path_factory):
    path = tmp_path_factory.mktemp("genn")
    utils.set_genn_directory(path)
    return path


@pytest.fixture(autouse=True)
def clean_brian():
    utils.clean_brian_state()
    yield
    utils.clean_brian_state()
