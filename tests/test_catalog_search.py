"""The library search (`magnets grades --search`, the TUI's `/`): words, fields and classes."""

from __future__ import annotations

import pandas as pd

from magnets.data import catalog


def _frame(rows):
    return pd.DataFrame(rows, columns=["id", "name", "manufacturer", "family", "route"])


def test_grade_classes_read_from_family_route_and_name():
    f = _frame(
        [
            ["HL-G48UHT", "G48UHT", "HL", "ndfeb-sintered", "gbd-tb"],  # UH class, Tb diffused
            ["N42", "N42", "Shanghai Magnet", "ndfeb-sintered", "bulk"],  # no suffix: class N
            ["N45SH-GBD", "N45SH (Tb grain-boundary diffused)", "x", "ndfeb-sintered", "gbd-tb"],
            ["MS-32H", "32H", "x", "sm2co17", "sintered"],  # SmCo: no NdFeB class
            ["HGT-BN8", "BN8", "x", "ndfeb-bonded", "bonded"],
        ]
    )
    assert catalog.grade_classes(f).tolist() == [
        "ndfeb gbd tb uh",
        "ndfeb n",
        "ndfeb gbd tb sh",
        "smco",
        "ndfeb",
    ]


def test_search_matches_fields_and_class_words_case_insensitive():
    f = _frame(
        [
            ["HL-G48UHT", "G48UHT", "HL Magnets", "ndfeb-sintered", "gbd-tb"],
            ["MS-32H", "32H", "Magsuper", "sm2co17", "sintered"],
            ["KJ-N45UH", "N45UH", "K&J Magnetics", "ndfeb-sintered", "bulk"],
        ]
    )
    assert catalog.search_mask(f, "SMCO").tolist() == [False, True, False]  # class of sm2co17
    assert catalog.search_mask(f, "gbd").tolist() == [True, False, False]  # route
    assert catalog.search_mask(f, "k&j").tolist() == [False, False, True]  # maker
    assert catalog.search_mask(f, "uh bulk").tolist() == [False, False, True]  # every word
    assert catalog.search_mask(f, "sm2co").tolist() == [False, True, False]  # family text
