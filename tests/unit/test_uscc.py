"""Unified social credit codes (GB 32100-2015): the check character, every reason for refusal,
and the generator for demo data."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from patientcap.domain import uscc

# Codes published by their holders (business licences shown on their own sites), and the
# worked example of GB 32100-2015 itself.
PUBLISHED = [
    "91350100M000100Y43",  # GB 32100-2015 worked example: Σ = 1640, 1640 mod 31 = 28, C18 = 3
    "914403001922038216",
    "9144030071526726XG",
    "91110108551385082Q",
    "91330100799655058B",
    "91512081MA62K0260E",
    "92371000MA3MXH0E3W",
]


@pytest.mark.parametrize("code", PUBLISHED)
def test_published_codes_are_valid(code):
    assert uscc.refusal(code) is None
    assert uscc.is_valid(code)


def test_weights_are_powers_of_three_mod_31():
    assert uscc.WEIGHTS == [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def test_the_standards_worked_example_computes_check_character_3():
    assert uscc.check_character("91350100M000100Y4") == "3"


def test_a_remainder_of_zero_gives_check_character_0():
    # 31 - 0 = 31, which the standard writes as 0.
    first17 = next(
        f"91500107{n:08d}" + uscc.organisation_check_character(f"{n:08d}")
        for n in range(10**6)
        if sum(
            uscc.VALUE[c] * w
            for c, w in zip(
                f"91500107{n:08d}" + uscc.organisation_check_character(f"{n:08d}"),
                uscc.WEIGHTS,
                strict=True,
            )
        )
        % 31
        == 0
    )
    assert uscc.check_character(first17) == "0"
    assert uscc.is_valid(first17 + "0")


def test_a_short_code_is_refused_with_its_length():
    assert uscc.refusal("91350100M000100Y4").text == (
        "a unified social credit code has 18 characters, not 17"
    )


def test_a_long_code_is_refused_with_its_length():
    assert "not 19" in uscc.refusal("91350100M000100Y433").text


@pytest.mark.parametrize("letter", ["I", "O", "Z", "S", "V"])
def test_each_excluded_letter_is_refused_with_its_position(letter):
    code = "91350100M000100Y43"
    bad = code[:9] + letter + code[10:]
    message = uscc.refusal(bad)
    assert message.params == {"char": repr(letter), "position": 10}
    assert "position 10 is not allowed" in message.text


def test_lower_case_is_refused_until_normalised():
    assert uscc.refusal("91350100m000100Y43").params["position"] == 9
    assert uscc.is_valid(uscc.normalise(" 91350100m000100y43 "))


def test_a_letter_in_the_division_code_is_refused():
    message = uscc.refusal("9135A100M000100Y43")
    assert message.params["position"] == 5
    assert "administrative division" in message.text


def test_a_wrong_organisation_check_character_is_refused_with_the_expected_one():
    message = uscc.refusal("91350100M000100Y53")
    assert message.text == (
        "wrong check character of the organisation code at position 17: expected 4"
    )


def test_a_wrong_check_character_is_refused_with_the_expected_one():
    message = uscc.refusal("91350100M000100Y44")
    assert message.text == "wrong check character at position 18: expected 3"


def test_make_uscc_uses_the_given_division_and_seed():
    code = uscc.make_uscc(42, division="500107")
    assert code.startswith("9150010700000042")
    assert uscc.is_valid(code)


@pytest.mark.parametrize("seed", [123456789, "12a", -1])
def test_make_uscc_refuses_a_bad_seed(seed):
    with pytest.raises(ValueError):
        uscc.make_uscc(seed)


def test_make_uscc_refuses_a_bad_division():
    with pytest.raises(ValueError):
        uscc.make_uscc(1, division="5001A7")


divisions = st.text(alphabet="0123456789", min_size=6, max_size=6)
seeds = st.integers(min_value=0, max_value=10**8 - 1)


@given(
    seed=seeds,
    division=divisions,
    authority=st.sampled_from("159AGNY"),
    kind=st.sampled_from("1239"),
)
def test_make_uscc_always_makes_a_valid_code(seed, division, authority, kind):
    assert (
        uscc.refusal(uscc.make_uscc(seed, division=division, authority=authority, kind=kind))
        is None
    )


@given(
    seed=seeds,
    position=st.integers(min_value=0, max_value=17),
    replacement=st.sampled_from(uscc.CHARSET + "IOZSVa -"),
)
def test_any_single_character_change_is_refused(seed, position, replacement):
    code = uscc.make_uscc(seed)
    if code[position] == replacement:
        return
    changed = code[:position] + replacement + code[position + 1 :]
    assert uscc.refusal(changed) is not None
