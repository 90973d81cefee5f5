"""The leak check (tests/leaks.py) fails a test that leaves an application context pushed."""
from __future__ import annotations

pytest_plugins = ["pytester"]


def test_a_pushed_app_context_fails_the_test(pytester):
    pytester.makeconftest('pytest_plugins = ["leaks"]\n')
    pytester.makepyfile(test_inner='''
from flask import Flask

def test_leaky():
    Flask("leaky").app_context().push()

def test_clean():
    with Flask("clean").app_context():
        pass
''')
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(["*left a Flask application context pushed*"])
