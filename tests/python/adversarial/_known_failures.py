"""Cases of the bad-input matrix that fail on the current extension, with
the symptom each showed. test_bad_input_matrix.py marks them
xfail(strict=True): fixing one in src/ makes its case XPASS, which fails
the suite until the entry is deleted here. Every entry is a bug in forge3d
(see the report in the commit that added it); never add one to silence a
regression. `python _matrix_cases.py --write-known` rewrites this file from
a run; review the diff.
"""

KNOWN: dict[str, str] = {
}
