"""Rebuilding the language model that ships inside `flows/model/` (`make model`).

Training needs torch, which Mend never needs to run: it is the optional `train` extra. The
labelled data and its hash live in `labelled`, which needs only the standard library, so a
plain test run can tell when the data moved on and the committed model did not.
"""
