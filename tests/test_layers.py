import pytest

from nester.errors import InputError
from nester.layers import LayerRules
from nester.model import Machining, Operation

RULES = LayerRules.default()

IGNORE = Machining(Operation.IGNORE)


@pytest.mark.parametrize(
    "layer, expected",
    [
        # WikiHouse full names
        ("DONOTCUT", IGNORE),
        ("0_SHEET_SPRUCEPLY_2440X1220X18", IGNORE),
        ("1_ANYTOOL_1MMDEEP_LABELS", Machining(Operation.ENGRAVE, 1.0)),
        ("2_ANYTOOL_2MMCUTTHROUGH_SCREWHOLES", Machining(Operation.DRILL)),
        ("3_ANYTOOL_CUTTHROUGH_INSIDE", Machining(Operation.CUT_INSIDE)),
        ("4_ANYTOOL_CUTTHROUGH_OUTSIDE", Machining(Operation.CUT_OUTSIDE)),
        ("5_ANYTOOL_9MMDEEP_INSIDE", Machining(Operation.POCKET, 9.0)),
        # Skylark R12 files: names truncated to 26 characters
        ("1_ANYTOOL_1MMDEEP_LABELS_S", Machining(Operation.ENGRAVE, 1.0)),
        ("2_ANYTOOL_2MMCUTTHROUGH_SC", Machining(Operation.DRILL)),
        ("3_ANYTOOL_CUTTHROUGH_INSID", Machining(Operation.CUT_INSIDE)),
        ("4_ANYTOOL_CUTTHROUGH_OUTSI", Machining(Operation.CUT_OUTSIDE)),
        ("5_ANYTOOL_HALF_MILL_9MM_IN", Machining(Operation.POCKET, 9.0)),
        # Opendesk: the number is the sheet thickness, the cut goes through
        ("CUT-OUTSIDE-18.0MM", Machining(Operation.CUT_OUTSIDE)),
        ("TOP-CUT-OUTSIDE-18.0MM", Machining(Operation.CUT_OUTSIDE)),
        ("CUT-INSIDE-18.0MM", Machining(Operation.CUT_INSIDE)),
        ("POCKET-6.0MM", Machining(Operation.POCKET, 6.0)),
        ("HOLE", Machining(Operation.DRILL)),
        # generic
        ("CUT_OUTSIDE", Machining(Operation.CUT_OUTSIDE)),
        ("cut_inside", Machining(Operation.CUT_INSIDE)),
        ("CUT", Machining(Operation.CUT)),
        ("PROFILE_THROUGH", Machining(Operation.CUT)),
        ("ON_LINE", Machining(Operation.CUT_ON_LINE)),
        ("ONLINE_3MM", Machining(Operation.CUT_ON_LINE, 3.0)),
        ("POCKET_6.5MM", Machining(Operation.POCKET, 6.5)),
        ("POCKET_12MM_DEEP", Machining(Operation.POCKET, 12.0)),
        ("DRILL_8MM", Machining(Operation.DRILL, None, 8.0)),
        ("DRILL", Machining(Operation.DRILL)),
        ("ENGRAVE", Machining(Operation.ENGRAVE, 1.0)),
        ("ENGRAVE_0.5MM", Machining(Operation.ENGRAVE, 0.5)),
        ("ENGRAVE_TEXT", Machining(Operation.ENGRAVE, 1.0)),
        ("IGNORE", IGNORE),
        ("NOTES", IGNORE),
        ("NOTES_IGNORE", IGNORE),
        ("DO_NOT_CUT", IGNORE),
        ("NO-PLOT", IGNORE),
        ("NOPLOT", IGNORE),
        ("DIMENSIONS", IGNORE),
        ("Defpoints", IGNORE),
        ("OCL_SHEET", IGNORE),
        ("OCL_LEFTOVER", IGNORE),
        ("BORDER", IGNORE),
        ("FRAME", IGNORE),
    ],
)
def test_built_in_names(layer, expected):
    assert RULES.classify(layer, None) == expected


def test_truncated_wikihouse_names_are_26_characters():
    truncated = ["1_ANYTOOL_1MMDEEP_LABELS_S", "3_ANYTOOL_CUTTHROUGH_INSID", "4_ANYTOOL_CUTTHROUGH_OUTSI"]
    for name in truncated + ["5_ANYTOOL_HALF_MILL_9MM_IN"]:
        assert len(name) == 26
        assert RULES.classify(name, None) is not None


def test_pocket_without_depth_is_unknown_even_with_a_known_colour():
    assert RULES.classify("POCKET", None) is None
    assert RULES.classify("POCKET", 5) is None


def test_unknown_layer_is_none():
    assert RULES.classify("Furniture", None) is None
    assert RULES.classify("Furniture", 7) is None


def test_cut_keyword_is_not_matched_inside_other_words():
    assert RULES.classify("SHORTCUTS", None) is None
    assert RULES.classify("DONOTCUT", None) == IGNORE


def test_colour_fallback_when_no_name_rule_matches():
    assert RULES.classify("Furniture", 1) == Machining(Operation.CUT)
    assert RULES.classify("Furniture", 2) == Machining(Operation.ENGRAVE, 1.0)
    assert RULES.classify("Furniture", 4) == Machining(Operation.CUT_INSIDE)
    assert RULES.classify("Furniture", 5) == Machining(Operation.CUT_OUTSIDE)


def test_name_beats_colour():
    assert RULES.classify("CUT_INSIDE", 5) == Machining(Operation.CUT_INSIDE)
    assert RULES.classify("NOTES", 1) == IGNORE


def test_layer_zero_and_inkscape_default_layer_cut_unless_coloured():
    assert RULES.classify("0", None) == Machining(Operation.CUT)
    assert RULES.classify("0", 7) == Machining(Operation.CUT)
    assert RULES.classify("Layer 1", None) == Machining(Operation.CUT)
    assert RULES.classify("Calque 1", None) == Machining(Operation.CUT)
    assert RULES.classify("0", 5) == Machining(Operation.CUT_OUTSIDE)
    assert RULES.classify("10", None) is None


def test_user_rule_beats_built_in_and_uses_search_case_insensitively():
    rules = LayerRules.with_user_rules([("outside", "pocket", 3.0, None), (r"^MYDRILL", Operation.DRILL, None, 5.0)])
    assert rules.classify("TOP-CUT-OUTSIDE-18.0MM", None) == Machining(Operation.POCKET, 3.0)
    assert rules.classify("mydrill_a", None) == Machining(Operation.DRILL, None, 5.0)
    assert rules.classify("CUT_INSIDE", None) == Machining(Operation.CUT_INSIDE)  # built-ins still apply


def test_user_rule_gives_a_pocket_its_depth():
    rules = LayerRules.with_user_rules([("^POCKET$", "POCKET", 4.0, None)])
    assert rules.classify("POCKET", None) == Machining(Operation.POCKET, 4.0)


@pytest.mark.parametrize(
    "rule, message",
    [
        (("(", "cut", None, None), "not a valid regular expression"),
        (("X", "mill", None, None), "unknown operation 'mill'"),
        (("X", "pocket", None, None), "a pocket needs a depth"),
        (("X", "pocket", -2.0, None), "depth must be positive"),
    ],
)
def test_bad_user_rules(rule, message):
    with pytest.raises(InputError, match=message):
        LayerRules.with_user_rules([rule])


def test_match_name_reports_rules_that_cannot_guess():
    match = RULES.match_name("POCKET")
    assert match is not None and match.machining is None
    assert RULES.match_name("Layer 1") is None
